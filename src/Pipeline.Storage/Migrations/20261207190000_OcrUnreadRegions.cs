using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <summary>How many text regions the text reader found but could not read: text is never dropped silently.</summary>
    public partial class OcrUnreadRegions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.AddColumn<int>(name: "ocr_unread_regions", table: "images", type: "integer", nullable: true);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.DropColumn(name: "ocr_unread_regions", table: "images");
    }
}
