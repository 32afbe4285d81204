using System.Diagnostics;
using System.Text;
using Pipeline.Inference.Runtime;

namespace Pipeline.Tests.Integration.Infrastructure;

/// <summary>What a person sees running a program: its exit code and what it printed, each stream on its own.</summary>
internal sealed record ProgramRun(int ExitCode, string Output, string Error)
{
    /// <summary>The first line on standard error: the one line a failure is explained in.</summary>
    public string FirstErrorLine => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.TrimEnd('\r') ?? "";

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs a program of the solution as built (<c>dotnet src/{project}/bin/{configuration}/net10.0/{assembly}.dll</c>, as
/// the README starts them) in a separate process with the test's environment, never this process's connection strings.
/// </summary>
internal sealed record BuiltProgram(string Project, string Assembly)
{
    public static readonly BuiltProgram Cli = new("Pipeline.Cli", "pipeline");
    public static readonly BuiltProgram Worker = new("Pipeline.Worker", "Pipeline.Worker");
    public static readonly BuiltProgram Api = new("Pipeline.Api", "Pipeline.Api");

    private static readonly string[] ConnectionStrings = ["ConnectionStrings__Postgres", "ConnectionStrings__RabbitMq", "ConnectionStrings__Blobs"];

    public string Dll
    {
        get
        {
            // The tests run from tests/X/bin/{configuration}/net10.0: the programs were built in the same configuration.
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var dll = Path.Combine(ModelFolders.BaseFolder, "src", Project, "bin", configuration, "net10.0", Assembly + ".dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{Project} is not built: no {dll}.");
        }
    }

    public async Task<ProgramRun> RunAsync(IReadOnlyDictionary<string, string?> environment, string[] args, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in ConnectionStrings)
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Assembly} {string.Join(' ', args)} did not end within 2 minutes.");
        }

        return new ProgramRun(process.ExitCode, await output, await error);
    }
}
