using System.CommandLine;
using System.CommandLine.Invocation;
using Pipeline.Cli;
using Pipeline.Cli.Commands;
using Pipeline.Cli.Commands.Ingest;
using Pipeline.Cli.Commands.Search;
using Pipeline.Cli.Commands.Status;
using Pipeline.Cli.Errors;
using Spectre.Console;

if (Console.IsOutputRedirected)
{
    // Logs and CI capture keep one line per item instead of wrapping at 80 columns.
    AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
}

var context = CliContext.FromProcess();
var verbose = new Option<bool>("--verbose") { Description = "When a command fails, show the whole error (stack trace included).", Recursive = true };
var root = new RootCommand("Pipeline: alt-text and embeddings for uploaded images.")
{
    MigrateCommand.Create(),
    IngestCommand.Create(),
    ModelsCommand.Create(),
    RedriveCommand.Create(context),
    QueuesCommand.Create(context),
    SearchCommand.Create(context),
    SimilarCommand.Create(context),
    ClassifyCommand.Create(context),
    StatusCommand.Create(context),
};
root.Options.Add(verbose);

var parse = root.Parse(args);
if (parse.Action is ParseErrorAction)
{
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
    }

    var command = parse.CommandResult.Command is RootCommand ? "pipeline" : $"pipeline {parse.CommandResult.Command.Name}";
    await Console.Error.WriteLineAsync($"See: {command} --help").ConfigureAwait(false);
    return ExitCodes.Usage;
}

try
{
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
}
catch (Exception e)
{
    var failure = CliFailure.From(e);
    await Console.Error.WriteLineAsync($"error: {failure.Message}").ConfigureAwait(false);
    if (parse.GetValue(verbose))
    {
        await Console.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
    }

    return failure.ExitCode;
}
