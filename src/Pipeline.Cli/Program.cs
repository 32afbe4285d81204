using System.CommandLine;
using Pipeline.Cli;
using Pipeline.Cli.Commands;
using Pipeline.Cli.Commands.Search;
using Pipeline.Cli.Commands.Status;
using Spectre.Console;

if (Console.IsOutputRedirected)
{
    // Logs and CI capture keep one line per item instead of wrapping at 80 columns.
    AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
}

var context = CliContext.FromProcess();
var root = new RootCommand("Pipeline: alt-text and embeddings for uploaded images.")
{
    MigrateCommand.Create(),
    IngestCommand.Create(),
    ModelsCommand.Create(),
    RedriveCommand.Create(),
    SearchCommand.Create(context),
    SimilarCommand.Create(context),
    ClassifyCommand.Create(context),
    StatusCommand.Create(context),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
