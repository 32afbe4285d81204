using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <summary>
    /// The full-text column takes a task's answer too. PostgreSQL 15 cannot change a generated column's expression, so
    /// the column and its index are made again (the table is rewritten once).
    /// </summary>
    public partial class SearchAnswers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            Recreate(migrationBuilder, "to_tsvector('simple', coalesce(caption, '') || ' ' || coalesce(ocr_text, '') || ' ' || coalesce(answer, ''))");

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            Recreate(migrationBuilder, "to_tsvector('simple', coalesce(caption, '') || ' ' || coalesce(ocr_text, ''))");

        private static void Recreate(MigrationBuilder migrationBuilder, string expression)
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
