using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <inheritdoc />
    public partial class AddOcrAndFullTextSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ocr_lines",
                table: "images",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ocr_model_id",
                table: "images",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<NpgsqlTsVector>(
                name: "search_text",
                table: "images",
                type: "tsvector",
                nullable: true,
                computedColumnSql: "to_tsvector('simple', coalesce(caption, '') || ' ' || coalesce(ocr_text, ''))",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "IX_images_search_text",
                table: "images",
                column: "search_text")
                .Annotation("Npgsql:IndexMethod", "GIN");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_images_search_text",
                table: "images");

            migrationBuilder.DropColumn(
                name: "search_text",
                table: "images");

            migrationBuilder.DropColumn(
                name: "ocr_lines",
                table: "images");

            migrationBuilder.DropColumn(
                name: "ocr_model_id",
                table: "images");
        }
    }
}
