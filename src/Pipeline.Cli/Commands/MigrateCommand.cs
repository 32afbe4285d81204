using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Pipeline.Storage;
using Spectre.Console;

namespace Pipeline.Cli.Commands;

internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Apply pending database migrations (creates the pgvector extension, tables and indexes).");
        command.SetAction(async (_, cancellationToken) =>
        {
            var connectionString = CliConfiguration.Load().ConnectionString("Postgres", "to reach the database");
            var options = StorageServiceCollectionExtensions.Configure(new DbContextOptionsBuilder<PipelineDbContext>(), connectionString);
            await using var db = new PipelineDbContext((DbContextOptions<PipelineDbContext>)options.Options);
            var pending = await db.MigrateExclusivelyAsync(cancellationToken).ConfigureAwait(false);
            AnsiConsole.MarkupLineInterpolated($"[green]Database up to date[/] ({pending.Count} migration(s) applied).");
            return 0;
        });
        return command;
    }
}
