using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Pipeline.Cli;

/// <summary>
/// Where a command reads its settings and writes its output: the process's environment and terminal when run, a
/// test's own configuration and captured console in tests (no process-wide state to share between parallel tests).
/// </summary>
/// <param name="Out">Raw output (JSON), never wrapped or styled.</param>
internal sealed record CliContext(Func<IConfiguration> LoadConfiguration, IAnsiConsole Console, TextWriter Out)
{
    public static CliContext FromProcess() => new(CliConfiguration.Load, AnsiConsole.Console, System.Console.Out);
}
