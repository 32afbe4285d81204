using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <inheritdoc />
    public partial class AddCaptionTasks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "answer",
                table: "images",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "caption_input_tokens",
                table: "images",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "caption_output_tokens",
                table: "images",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "caption_task",
                table: "images",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "answer", table: "images");
            migrationBuilder.DropColumn(name: "caption_input_tokens", table: "images");
            migrationBuilder.DropColumn(name: "caption_output_tokens", table: "images");
            migrationBuilder.DropColumn(name: "caption_task", table: "images");
        }
    }
}
