using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pipeline.Storage.Migrations
{
    /// <inheritdoc />
    public partial class AddDownscaleSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "downscale_settings",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    max_side = table.Column<int>(type: "integer", nullable: false),
                    min_side = table.Column<int>(type: "integer", nullable: false),
                    updated_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_downscale_settings", x => x.id);
                    table.CheckConstraint("ck_downscale_settings_single_row", "id = 1");
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "downscale_settings");
        }
    }
}
