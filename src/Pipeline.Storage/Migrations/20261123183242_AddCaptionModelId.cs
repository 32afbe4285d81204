using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <inheritdoc />
    public partial class AddCaptionModelId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "caption_model_id",
                table: "images",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "caption_model_id",
                table: "images");
        }
    }
}
