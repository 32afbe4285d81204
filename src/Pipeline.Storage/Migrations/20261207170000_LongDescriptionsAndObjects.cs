using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <summary>
    /// A long description beside the alt-text and the objects found with their boxes (Florence-2); both join the
    /// full-text column (the objects by their labels). PostgreSQL 15 cannot change a generated column's expression,
    /// so the column and its index are made again (the table is rewritten once).
    /// </summary>
    public partial class LongDescriptionsAndObjects : Migration
    {
        private const string Before =
            "to_tsvector('simple', coalesce(caption, '') || ' ' || coalesce(ocr_text, '') || ' ' || coalesce(answer, ''))";

        // Written out, not taken from the context: a migration keeps meaning what it meant when it was written.
        private const string After =
            "to_tsvector('simple', coalesce(caption, '') || ' ' || coalesce(ocr_text, '') || ' ' || coalesce(answer, '') || ' ' || " +
            "coalesce(long_description, '') || ' ' || coalesce(jsonb_path_query_array(objects, '$[*].label')::text, ''))";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "long_description", table: "images", type: "text", nullable: true);
            migrationBuilder.AddColumn<string>(name: "objects", table: "images", type: "jsonb", nullable: true);
            RecreateSearchText(migrationBuilder, After);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            RecreateSearchText(migrationBuilder, Before);
            migrationBuilder.DropColumn(name: "objects", table: "images");
            migrationBuilder.DropColumn(name: "long_description", table: "images");
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
