using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Pipeline.Testing;

/// <summary>
/// The worker as operators run it: a separate process (<c>dotnet Pipeline.Worker.dll</c>) configured by environment
/// variables, with its own health endpoint. Every line it writes is kept (and copied to a log file) so that tests can
/// read what it said; it can be stopped the polite way (SIGTERM) or killed outright (SIGKILL).
/// </summary>
/// <remarks>One file, compiled into the fault tests and the benchmarks (see their csproj).</remarks>
public sealed class WorkerProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Uri _http;
    private readonly Uri _health;

    private WorkerProcess(Process process, StreamWriter log, string logPath, Uri http)
    {
        (_process, _log, _http, _health) = (process, log, http, new Uri(http, "/health/ready"));
        LogPath = logPath;
    }

    public int Id => _process.Id;

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything written to stdout and stderr so far.</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>
    /// Starts <paramref name="workerDll"/> with <paramref name="environment"/> on top of this process's own. The
    /// health server gets a free loopback port and the console one line per entry. With <paramref name="cgroupProcs"/>
    /// (a cgroup's <c>cgroup.procs</c>) the worker runs in that cgroup from its first instruction, as in a container.
    /// </summary>
    public static WorkerProcess Start(string workerDll, IReadOnlyDictionary<string, string> environment, string logPath, string? cgroupProcs = null)
    {
        var port = TcpPorts.Free();
        var start = new ProcessStartInfo(cgroupProcs is null ? "dotnet" : "sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(workerDll)!,
        };
        // The shell moves itself into the cgroup, then becomes the worker (exec keeps the pid).
        foreach (var argument in cgroupProcs is null ? [workerDll] : new[] { "-c", "echo $$ > \"$1\" && exec dotnet \"$2\"", "sh", cgroupProcs, workerDll })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["Http__Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, log, logPath, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, line) => worker.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => worker.Keep(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>The HTTP status of <c>/health/ready</c>, or 0 when nothing answers.</summary>
    public async Task<int> ReadyStatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(_health, cancellationToken).ConfigureAwait(false);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    /// <summary>What the worker's HTTP server answers at <paramref name="path"/> (<c>/metrics</c>, say); throws unless 2xx.</summary>
    public Task<string> GetStringAsync(string path, CancellationToken cancellationToken) =>
        Http.GetStringAsync(new Uri(_http, path), cancellationToken);

    /// <summary>Waits until <c>/health/ready</c> answers <paramref name="status"/>; returns how long that took.</summary>
    public async Task<TimeSpan> WaitForReadyStatusAsync(HttpStatusCode status, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (await ReadyStatusAsync(cancellationToken).ConfigureAwait(false) == (int)status)
            {
                return watch.Elapsed;
            }

            if (HasExited)
            {
                throw new InvalidOperationException($"The worker exited with code {_process.ExitCode} before /health/ready said {(int)status}; its log: {LogPath}\n{Tail()}");
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"/health/ready did not say {(int)status} within {timeout.TotalSeconds:F0} s; worker log: {LogPath}\n{Tail()}");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task WaitUntilReadyAsync(CancellationToken cancellationToken) =>
        WaitForReadyStatusAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(120), cancellationToken);

    /// <summary>SIGKILL: no chance to finish anything, like a machine losing power.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    /// <summary>SIGTERM: what Kubernetes and systemd send before they kill.</summary>
    public async Task TerminateAsync(CancellationToken cancellationToken)
    {
        using var kill = Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The exit code, or null when the process is still running after <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            return _process.ExitCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public ProcessMemory? Memory() => ProcessMemory.Read(Id);

    /// <summary>The last lines written, for failure messages.</summary>
    public string Tail(int lines = 30) => string.Join('\n', _lines.TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync().ConfigureAwait(false);
        }

        // The output readers finish after the process; the log closes behind them.
        _process.WaitForExit();
        _process.Dispose();
        await _log.DisposeAsync().ConfigureAwait(false);
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        lock (_log)
        {
            _log.WriteLine(line);
        }
    }
}
