using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace Pipeline.Tests.Api.Infrastructure;

/// <summary>
/// The API as operators run it: a separate process (<c>dotnet Pipeline.Api.dll</c> from src/Pipeline.Api's build
/// output) configured by environment variables, inside a memory cgroup from its first instruction, so the runtime
/// sizes its heap by the limit as it would in a container. Every line it writes is kept for failure messages.
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Uri _address;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<HttpClient> _clients = [];

    private ApiProcess(Process process, Uri address) => (_process, _address) = (process, address);

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the API with <paramref name="settings"/> (configuration paths, as <c>Api:Container</c>) in <paramref name="cgroup"/>.</summary>
    public static ApiProcess Start(IReadOnlyDictionary<string, string?> settings, MemoryCgroup cgroup)
    {
        var dll = BuiltApi();
        var address = new Uri($"http://127.0.0.1:{TcpPorts.Free()}");
        // The shell moves itself into the cgroup, then becomes the API (exec keeps the pid): no instant runs outside it.
        var start = new ProcessStartInfo("sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var argument in new[] { "-c", "echo $$ > \"$1\" && exec dotnet \"$2\"", "sh", cgroup.ProcsFile, dll })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (path, value) in settings)
        {
            if (value is not null)
            {
                start.Environment[path.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        var process = new Process { StartInfo = start };
        var api = new ApiProcess(process, address);
        process.OutputDataReceived += (_, line) => api.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => api.Keep(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return api;
    }

    /// <summary>A client acting for <paramref name="owner"/> (the API must trust X-Owner-Id), patient with slow answers.</summary>
    public HttpClient ClientFor(string owner)
    {
        var client = new HttpClient { BaseAddress = _address, Timeout = TimeSpan.FromMinutes(10) };
        client.DefaultRequestHeaders.Add("X-Owner-Id", owner);
        _clients.Add(client);
        return client;
    }

    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var probe = new HttpClient { BaseAddress = _address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var ready = await probe.GetAsync("/health/ready", cancellationToken);
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (HasExited)
            {
                Assert.Fail($"The API exited with code {_process.ExitCode} before it was ready:\n{Tail()}");
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(120), $"The API was not ready within 120 s:\n{Tail()}");
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Its resident memory now and at its peak (VmRSS, VmHWM); null once it has exited.</summary>
    public ProcessMemory? Memory() => ProcessMemory.Read(Id);

    /// <summary>The last lines it wrote, for failure messages.</summary>
    public string Tail(int lines = 30) => string.Join('\n', _lines.TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static string BuiltApi()
    {
        var configuration = typeof(ApiProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                var dll = Path.Combine(dir.FullName, "src", "Pipeline.Api", "bin", configuration, "net10.0", "Pipeline.Api.dll");
                return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is not built: dotnet build tests/Pipeline.Tests.Api -c {configuration}.");
            }
        }

        throw new InvalidOperationException($"No Pipeline.sln above {AppContext.BaseDirectory}.");
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }
}
