using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Pipeline.Benchmarks.EndToEnd;
using Pipeline.Testing;

namespace Pipeline.Benchmarks.Memory;

/// <summary>
/// <c>memory</c>: the worker's resident memory as deployed — a worker process with the deployment's models (full-size
/// stand-in CLIP image tower and distilvit captioner, the real PP-OCRv4 weights) taking photos of 1 to 12 megapixels
/// as inline JPEGs — idle after start-up, after a warm-up, at its peak under load and idle again after it, each split
/// into its parts; with <c>--parts</c>, the same for each model alone, which gives each model's loaded size and the
/// memory its passes add.
/// </summary>
internal static class MemoryBenchmark
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var images = new Option<int>("--images") { Description = "Photos announced at once after the warm-up (the 24 distinct ones in turn).", DefaultValueFactory = _ => 200 };
        var batch = new Option<int>("--batch") { Description = "Batching:MaxBatchSize.", DefaultValueFactory = _ => 5 };
        var passes = new Option<int>("--passes") { Description = "Inference:ConcurrentPasses; 0 = the worker's default.", DefaultValueFactory = _ => 0 };
        var settings = new Option<string[]>("--worker-setting") { Description = "A worker setting, Key=Value (e.g. Inference:CpuMemoryArena=false); repeatable." };
        var environment = new Option<string[]>("--env") { Description = "An environment variable for the worker process, NAME=VALUE (e.g. MALLOC_ARENA_MAX=4); repeatable, over the image's." };
        var bare = new Option<bool>("--without-image-env") { Description = "Leave out the memory settings of the worker's image (MALLOC_* and DOTNET_GC* of deploy/worker.Dockerfile's ENV)." };
        var limit = new Option<int>("--limit-mib") { Description = "Run the worker in a memory cgroup with this hard limit, as a container limit (needs root); 0 = none.", DefaultValueFactory = _ => 0 };
        var parts = new Option<bool>("--parts") { Description = "Also run each model alone (and none): each one's loaded size and what its passes add." };
        var partsImages = new Option<int>("--parts-images") { Description = "Photos per --parts run.", DefaultValueFactory = _ => 48 };
        var command = new Command("memory", "The worker process's resident memory idle, after a warm-up and under load, and its parts.")
        {
            images, batch, passes, settings, environment, bare, limit, parts, partsImages,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            MemoryOptions options;
            try
            {
                options = new MemoryOptions(
                    Positive(result.GetValue(images), "--images"),
                    Positive(result.GetValue(batch), "--batch"),
                    result.GetValue(passes) >= 0 ? result.GetValue(passes) : throw new ArgumentException("--passes must be 0 or more."),
                    Pairs(result.GetValue(settings) ?? [], "--worker-setting"),
                    [.. (result.GetValue(bare) ? [] : ImageEnvironment.Read(ModelFolders.RepositoryRoot())), .. Pairs(result.GetValue(environment) ?? [], "--env")],
                    result.GetValue(limit) > 0 ? result.GetValue(limit) * 1024L * 1024 : null,
                    result.GetValue(parts),
                    Positive(result.GetValue(partsImages), "--parts-images"));
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }

            try
            {
                return await RunAsync(options, cancellationToken);
            }
            catch (BenchmarkException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 1;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(MemoryOptions options, CancellationToken cancellationToken)
    {
        if (ServiceConnections.FromEnvironment() is not { } services)
        {
            await Console.Error.WriteLineAsync("Needs the services: deploy/local/services.sh up && . .local/services.env");
            return 2;
        }

        if (options.LimitBytes is not null && !MemoryCgroup.IsAvailable)
        {
            await Console.Error.WriteLineAsync("--limit-mib needs root and the cgroup v1 memory controller (/sys/fs/cgroup/memory).");
            return 2;
        }

        var models = DeployedModels.Prepare(ModelFolders.RepositoryRoot());
        var photos = BenchPhotos.Load(ModelFolders.RepositoryRoot());
        Console.WriteLine(Invariant($"  {photos.Count} photos, {photos.Min(p => p.Length) / 1_048_576.0:F1}–{photos.Max(p => p.Length) / 1_048_576.0:F1} MiB each"));
        var started = DateTimeOffset.UtcNow;

        var partRuns = new List<(string Models, Measurement Run)>();
        if (options.Parts)
        {
            foreach (var (name, only) in models.OneAtATime())
            {
                Console.WriteLine($"  {name} alone ...");
                partRuns.Add((name, await MeasureAsync(services, options, only, photos, options.PartsImages, cancellationToken)));
            }
        }

        Console.WriteLine("  every model ...");
        var all = await MeasureAsync(services, options, models.All, photos, options.Images, cancellationToken);
        Console.WriteLine();
        Console.Write(MemoryReport.Format(options, models, started, all, partRuns));
        return 0;
    }

    /// <summary>Idle after start-up, after a warm-up (every distinct photo once), at the peak under load, and idle after it.</summary>
    private static async Task<Measurement> MeasureAsync(
        ServiceConnections services, MemoryOptions options, IReadOnlyDictionary<string, string> models, IReadOnlyList<byte[]> photos, int images,
        CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(models)
        {
            // The CPU build runs on the CPU anyway; a GPU build measured with Inference:ExecutionProvider=Cuda.
            ["Inference__ExecutionProvider"] = "Cpu",
            ["Batching__MaxBatchSize"] = Invariant($"{options.Batch}"),
            ["Inference__ConcurrentPasses"] = Invariant($"{options.Passes}"),
        };
        foreach (var (key, value) in options.WorkerSettings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (name, value) in options.Environment)
        {
            environment[name] = value;
        }

        await using var worker = await MeasuredWorker.StartAsync(services, environment, options.LimitBytes, cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        var idle = await worker.SnapshotAsync(cancellationToken);

        await worker.AnnounceAsync(photos, "warm", cancellationToken);
        await worker.WaitForAllAsync(() => Task.CompletedTask, cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        var warm = await worker.SnapshotAsync(cancellationToken);

        worker.ResetPeak();
        var (highest, highestNative, highestManaged) = (warm, warm.Native, warm.Managed.Committed);
        var sampled = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        await worker.AnnounceAsync([.. Enumerable.Range(0, images).Select(i => photos[i % photos.Count])], "load", cancellationToken);
        await worker.WaitForAllAsync(async () =>
        {
            // smaps of a process with thousands of mappings is worth reading once a second, not four times.
            if (sampled.Elapsed < TimeSpan.FromSeconds(1))
            {
                return;
            }

            sampled.Restart();
            var now = await worker.SnapshotAsync(cancellationToken);
            highest = now.Parts.Resident > highest.Parts.Resident ? now : highest;
            (highestNative, highestManaged) = (Math.Max(highestNative, now.Native), Math.Max(highestManaged, now.Managed.Committed));
        }, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        var peak = worker.Memory().PeakResidentMegabytes;

        await Task.Delay(2 * Settle, cancellationToken);
        var after = await worker.SnapshotAsync(cancellationToken);
        return new Measurement(idle, warm, highest, highestNative, highestManaged, peak, after, images, seconds, worker.OomKills, worker.ManagedOutOfMemory);
    }

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be at least 1.");

    private static List<KeyValuePair<string, string>> Pairs(string[] values, string option) =>
        [.. values.Select(v => v.Split('=', 2) is [var key, var value] && key.Length > 0
            ? new KeyValuePair<string, string>(key, value)
            : throw new ArgumentException($"{option} '{v}' is not KEY=VALUE."))];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <param name="Environment">The worker process's memory settings: the image's, then those of <c>--env</c>.</param>
/// <param name="LimitBytes">The cgroup's hard limit; null runs the worker without one.</param>
internal sealed record MemoryOptions(
    int Images, int Batch, int Passes, IReadOnlyList<KeyValuePair<string, string>> WorkerSettings, IReadOnlyList<KeyValuePair<string, string>> Environment,
    long? LimitBytes, bool Parts, int PartsImages);

/// <summary>One worker's memory through a run (MiB), the photos of its load and how long they took.</summary>
/// <param name="Highest">The once-a-second sample with the largest resident set during the load.</param>
/// <param name="HighestNative">The largest resident set less the GC's committed memory of any sample during the load.</param>
/// <param name="HighestManaged">The largest GC committed memory of any sample during the load.</param>
/// <param name="Peak">VmHWM over the load (reset when it began).</param>
/// <param name="OomKills">The kernel's kills for going over the cgroup's limit.</param>
/// <param name="ManagedOutOfMemory">Log lines with an OutOfMemoryException (the GC's hard limit reached; the batch retries).</param>
internal sealed record Measurement(
    MemorySnapshot Idle, MemorySnapshot Warm, MemorySnapshot Highest, double HighestNative, double HighestManaged, double Peak, MemorySnapshot After,
    int Images, double Seconds, long OomKills, int ManagedOutOfMemory)
{
    public double ImagesPerSecond => Images / Seconds;

    /// <summary>The most the load added outside the managed heap.</summary>
    public double NativeGrowth => HighestNative - Idle.Native;
}
