using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Pipeline.Cli;
using Spectre.Console;

namespace Pipeline.Tests.Integration.Search;

/// <summary>Runs CLI commands in-process with their own settings and a captured 200-column console without colours.</summary>
public static class CliConsole
{
    internal static async Task<(int ExitCode, string Output)> RunAsync(
        IReadOnlyDictionary<string, string?> settings, Func<CliContext, Command[]> commands, params string[] args)
    {
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var root = new RootCommand();
        foreach (var command in commands(new CliContext(() => configuration, console, output)))
        {
            root.Subcommands.Add(command);
        }

        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = output }, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString());
    }

    /// <summary>The cells of each table row whose first cell is a number (a rank), split on the table's vertical rule.</summary>
    public static List<string[]> RankedRows(string output) =>
        output.Split('\n')
            .Where(line => line.Contains('│', StringComparison.Ordinal))
            .Select(line => line.Split('│', StringSplitOptions.TrimEntries)[1..^1])
            .Where(cells => cells.Length > 0 && int.TryParse(cells[0], out _))
            .ToList();

    /// <summary>The cells of every table row (header included), split on the table's vertical rule.</summary>
    public static List<string[]> Rows(string output) =>
        output.Split('\n')
            .Where(line => line.Contains('│', StringComparison.Ordinal))
            .Select(line => line.Split('│', StringSplitOptions.TrimEntries)[1..^1])
            .ToList();
}
