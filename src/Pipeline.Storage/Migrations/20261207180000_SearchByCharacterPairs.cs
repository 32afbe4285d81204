using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <summary>
    /// Chinese, Japanese and Korean text is also indexed by its pairs of neighbouring characters, so "고슴도치" finds
    /// "고슴도치가" (a particle attached) and a word inside an unspaced line of text. The pairs come from an immutable SQL
    /// function, which the generated column may call; the column and its index are made again (PostgreSQL 15 cannot change
    /// a generated column's expression).
    /// </summary>
    public partial class SearchByCharacterPairs : Migration
    {
        private const string AllText =
            "coalesce(caption, '') || ' ' || coalesce(ocr_text, '') || ' ' || coalesce(answer, '') || ' ' || " +
            "coalesce(long_description, '') || ' ' || coalesce(jsonb_path_query_array(objects, '$[*].label')::text, '')";

        // Hangul jamo, kana, compatibility jamo, CJK ideographs (extension A and unified), Hangul syllables, compatibility ideographs.
        private const string CreateFunction = """
            CREATE OR REPLACE FUNCTION pipeline_cjk_bigrams(text) RETURNS text
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
              SELECT coalesce(string_agg(substr($1, i, 2), ' ' ORDER BY i), '')
              FROM generate_series(1, length($1) - 1) AS i
              WHERE substr($1, i, 2) ~ '^[\u1100-\u11FF\u3040-\u30FF\u3130-\u318F\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF]{2}$'
            $$
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(CreateFunction);
            RecreateSearchText(migrationBuilder, $"to_tsvector('simple', {AllText} || ' ' || pipeline_cjk_bigrams({AllText}))");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            RecreateSearchText(migrationBuilder, $"to_tsvector('simple', {AllText})");
            migrationBuilder.Sql("DROP FUNCTION pipeline_cjk_bigrams(text)");
        }

        private static void RecreateSearchText(MigrationBuilder migrationBuilder, string expression)
        {
            migrationBuilder.DropIndex(name: "IX_images_search_text", table: "images");
            migrationBuilder.DropColumn(name: "search_text", table: "images");
            migrationBuilder.AddColumn<NpgsqlTsVector>(
                name: "search_text",
                table: "images",
                type: "tsvector",
                nullable: true,
                computedColumnSql: expression,
                stored: true);
            migrationBuilder.CreateIndex(name: "IX_images_search_text", table: "images", column: "search_text")
                .Annotation("Npgsql:IndexMethod", "GIN");
        }
    }
}
