using System.Diagnostics;

namespace Pipeline.Tests.Faults.Infrastructure;

/// <summary>Runs the services' own tools (initdb, pg_ctl, chown), as their service account when the tests run as root.</summary>
internal static class Commands
{
    public static bool RunningAsRoot { get; } = Environment.UserName == "root";

    /// <summary>Runs <paramref name="file"/> to completion; throws with its output when it fails.</summary>
    public static async Task<string> RunAsync(string file, IReadOnlyList<string> arguments, string? serviceAccount, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(RunningAsRoot && serviceAccount is not null ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (RunningAsRoot && serviceAccount is not null)
        {
            foreach (var argument in (string[])["-u", serviceAccount, "--", file])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var text = await output.ConfigureAwait(false) + await error.ConfigureAwait(false);
        return process.ExitCode == 0
            ? text
            : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{text}");
    }

    /// <summary>Hands <paramref name="folder"/> to a service account, which must write in it.</summary>
    public static Task GiveToAsync(string folder, string serviceAccount, CancellationToken cancellationToken) =>
        RunningAsRoot
            ? RunAsync("chown", ["-R", $"{serviceAccount}:", folder], null, cancellationToken)
            : Task.CompletedTask;
}
