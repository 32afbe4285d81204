using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <inheritdoc />
    public partial class AddBlobWatching : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "source_version",
                table: "images",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "announced_blobs",
                columns: table => new
                {
                    container = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    name = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    etag = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    last_modified = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    announced_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_announced_blobs", x => new { x.container, x.name });
                });

            migrationBuilder.CreateTable(
                name: "blob_watch_cursors",
                columns: table => new
                {
                    container = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    prefix = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    last_modified = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    name = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_blob_watch_cursors", x => new { x.container, x.prefix });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "announced_blobs");

            migrationBuilder.DropTable(
                name: "blob_watch_cursors");

            migrationBuilder.DropColumn(
                name: "source_version",
                table: "images");
        }
    }
}
