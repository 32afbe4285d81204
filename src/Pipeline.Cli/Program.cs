using System.CommandLine;
using Pipeline.Cli.Commands;
using Spectre.Console;

if (Console.IsOutputRedirected)
{
    // Logs and CI capture keep one line per item instead of wrapping at 80 columns.
    AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
}

var root = new RootCommand("Pipeline: alt-text and embeddings for uploaded images.")
{
    MigrateCommand.Create(),
    IngestCommand.Create(),
    ModelsCommand.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
