using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Pipeline.Inference.Runtime;

namespace Pipeline.Benchmarks.EndToEnd;

/// <summary>
/// <c>pipeline</c>: the full-size stand-in captioner measured bare (model calls only, ours and transformers.js), then
/// end to end (RabbitMQ → worker → Postgres → result events) per batch size, then a sequential baseline like the
/// original server, then latency at light load — one run, one machine, one table.
/// </summary>
internal static class PipelineBenchmark
{
    public static Command Create()
    {
        var images = new Option<int>("--images") { Description = "Distinct 224×224 images.", DefaultValueFactory = _ => 20 };
        var repeat = new Option<int>("--repeat") { Description = "End to end: each image announced this many times (new ids) per batch size.", DefaultValueFactory = _ => 2 };
        var batches = new Option<string>("--batches") { Description = "Batch sizes, comma-separated.", DefaultValueFactory = _ => "1,2,3,4,5,8" };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Tokens per caption: greedy, every caption forced to exactly this length on every side.", DefaultValueFactory = _ => 20 };
        var lightImages = new Option<int>("--light-images") { Description = "Light load: images announced one at a time.", DefaultValueFactory = _ => 10 };
        var lightInterval = new Option<int>("--light-interval-ms") { Description = "Light load: gap between announcements.", DefaultValueFactory = _ => 2000 };
        var skipJs = new Option<bool>("--skip-js") { Description = "Leave out transformers.js." };
        var threads = new Option<int>("--threads")
        {
            Description = "ONNX Runtime intra-op threads on every side (bare model, transformers.js, each of the worker's passes); 0 = one per processor for single calls, the worker's own division for its passes.",
            DefaultValueFactory = _ => 0,
        };
        var settings = new Option<string[]>("--worker-setting")
        {
            Description = "A worker configuration override, Key=Value (e.g. Inference:AllowSpinning=false); repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("pipeline", "End-to-end images/s vs the bare model, a sequential baseline and transformers.js; latency at light load.")
        {
            images, repeat, batches, maxNewTokens, lightImages, lightInterval, skipJs, threads, settings,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            new EndToEndOptions(
                Math.Max(1, result.GetValue(images)),
                Math.Max(1, result.GetValue(repeat)),
                BatchSizes.Parse(result.GetRequiredValue(batches)),
                Math.Max(1, result.GetValue(maxNewTokens)),
                Math.Max(0, result.GetValue(lightImages)),
                Math.Max(1, result.GetValue(lightInterval)),
                result.GetValue(skipJs),
                Math.Max(0, result.GetValue(threads)),
                Overrides(result.GetValue(settings) ?? [])),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(EndToEndOptions options, CancellationToken cancellationToken)
    {
        if (ServiceConnections.FromEnvironment() is not { } services)
        {
            await Console.Error.WriteLineAsync("Needs the services: deploy/local/services.sh up && . .local/services.env");
            return 2;
        }

        var root = ModelFolders.RepositoryRoot();
        var imageFolder = Path.Combine(Path.GetTempPath(), $"pipeline-e2e-{Environment.ProcessId}");
        var started = DateTimeOffset.UtcNow;
        try
        {
            var bench = new BenchOptions(true, options.Images, options.Batches, options.MaxNewTokens, options.Threads, "quantized", options.SkipJs);
            options = options with { WorkerSettings = WithThreads(options.WorkerSettings, options.Threads) };
            // What the worker's settings come to here: its passes side by side, and the threads each of them gets.
            var inference = new ConfigurationBuilder().AddInMemoryCollection(options.WorkerSettings).Build()
                .GetSection(InferenceOptions.Section).Get<InferenceOptions>() ?? new InferenceOptions();
            inference.ExecutionProvider = ExecutionProviderChoice.Cpu;
            var (passes, threadsPerPass) = (inference.EffectiveConcurrentPasses, inference.ThreadsPerPass);
            var prepared = ModelFolders.Prepare(root, bench);
            var folders = prepared with { Captioner = ModelFolders.FixedLength(prepared.Captioner, options.MaxNewTokens) };
            var files = BenchImages.Write(imageFolder, options.Images);
            var bytes = files.Select(File.ReadAllBytes).ToList();

            Console.WriteLine("Bare model (model calls only, inputs prepared beforehand):");
            var bareBefore = await MeasureBareAsync(bench, folders.Captioner, files, passes, threadsPerPass, cancellationToken);
            List<BatchTiming>? theirs = null;
            List<BatchTiming>? theirsByDefault = null;
            if (!options.SkipJs)
            {
                var js = TransformersJsRunner.ForCheckout(root);
                js.CheckInstalled();
                // The same quantized files as ours, then the files transformers.js picks by default on a Node CPU (fp32).
                var request = new JsBenchRequest(files, options.Batches, options.MaxNewTokens, bench.EffectiveThreads) { Captioner = folders.Captioner };
                theirs = (await js.RunAsync(request with { Dtype = "q8" }, cancellationToken)).Caption;
                theirs.ForEach(t => Progress.Report("transformers.js q8", "captioner", t));
                theirsByDefault = (await js.RunAsync(request with { Dtype = "fp32" }, cancellationToken)).Caption;
                theirsByDefault.ForEach(t => Progress.Report("transformers.js fp32", "captioner", t));
            }

            Console.WriteLine("End to end (RabbitMQ → worker → Postgres → result events):");
            var endToEnd = new List<(int Batch, Run Run)>();
            foreach (var batch in options.Batches)
            {
                var run = await MeasureAsync(services, folders.Captioner, options, WorkerSettings.Batched(batch), bytes, cancellationToken);
                Console.WriteLine(Invariant($"  batch {batch}: {run.Images} images in {run.Seconds:F2} s = {run.ImagesPerSecond:F2} img/s"));
                endToEnd.Add((batch, run));
            }

            // The bare model again after the end-to-end runs: this VM's speed drifts by ±10 % over minutes, and the
            // ratio uses the faster of the two bare figures, so drift can only make the pipeline look worse.
            Console.WriteLine("Bare model again:");
            var bareAfter = await MeasureBareAsync(bench, folders.Captioner, files, passes, threadsPerPass, cancellationToken);
            var bare = Faster(bareBefore.OnePass, bareAfter.OnePass);
            var bareSideBySide = bareBefore.SideBySide is null ? null : Faster(bareBefore.SideBySide, bareAfter.SideBySide!);

            var sequential = await MeasureAsync(services, folders.Captioner, options, WorkerSettings.Sequential, bytes, cancellationToken);
            Console.WriteLine(Invariant($"  sequential baseline: {sequential.Images} images in {sequential.Seconds:F2} s = {sequential.ImagesPerSecond:F2} img/s"));

            var light = options.LightImages == 0 ? null : await MeasureLightLoadAsync(services, folders.Captioner, options, bytes, cancellationToken);

            Console.WriteLine();
            Console.Write(Report(options, started, new Bare(bare, bareSideBySide, bench.EffectiveThreads, passes, threadsPerPass), theirs, theirsByDefault, endToEnd, sequential, light));
            return 0;
        }
        catch (BenchmarkException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }
        finally
        {
            if (Directory.Exists(imageFolder))
            {
                Directory.Delete(imageFolder, recursive: true);
            }
        }
    }

    /// <summary>
    /// The captioner alone: one call at a time over every processor, and, where the worker's defaults run passes side
    /// by side, the same passes with the same threads each.
    /// </summary>
    private static async Task<(List<BatchTiming> OnePass, List<BatchTiming>? SideBySide)> MeasureBareAsync(
        BenchOptions bench, string captioner, IReadOnlyList<string> files, int passes, int threadsPerPass, CancellationToken cancellationToken)
    {
        var onePass = await new OursRunner(bench).CaptionAsync(captioner, files, cancellationToken);
        onePass.ForEach(t => Progress.Report("C#", "captioner, one pass at a time", t));
        if (passes == 1)
        {
            return (onePass, null);
        }

        var sideBySide = await new OursRunner(bench with { Threads = threadsPerPass }).CaptionAsync(captioner, files, cancellationToken, passes);
        sideBySide.ForEach(t => Progress.Report("C#", Invariant($"captioner, {passes} passes at once"), t));
        return (onePass, sideBySide);
    }

    private static List<BatchTiming> Faster(List<BatchTiming> first, List<BatchTiming> second) =>
        first.Zip(second, (a, b) => a.ImagesPerSecond >= b.ImagesPerSecond ? a : b).ToList();

    /// <summary>Announces every image <see cref="EndToEndOptions.Repeat"/> times at once; timed from the first announcement to the last result.</summary>
    private static async Task<Run> MeasureAsync(
        ServiceConnections services, string captioner, EndToEndOptions options, WorkerSettings settings, List<byte[]> images, CancellationToken cancellationToken)
    {
        await using var worker = await BenchWorker.StartAsync(services, captioner, options.MaxNewTokens, settings, options.WorkerSettings, cancellationToken);
        await using var producer = await Producer.StartAsync(services.RabbitMq, cancellationToken);

        // Warm-up: ONNX Runtime's first runs at a new batch shape, connection pools, JIT.
        var warmUp = await AnnounceAsync(producer, worker.Queue, "warm", images.Take(Math.Max(2 * settings.MaxBatchSize, 4)).ToList(), cancellationToken);
        await producer.WaitForAsync(warmUp, TimeSpan.FromMinutes(5), cancellationToken);

        var all = Enumerable.Repeat(images, options.Repeat).SelectMany(i => i).ToList();
        worker.PassSizes.Clear();
        worker.ConsumedBatchSizes.Clear();
        var stopwatch = Stopwatch.StartNew();
        var ids = await AnnounceAsync(producer, worker.Queue, "timed", all, cancellationToken);
        await producer.WaitForAsync(ids, TimeSpan.FromMinutes(10), cancellationToken);
        stopwatch.Stop();
        var results = ids.Select(id => producer.Results[id]).ToList();
        if (results.Any(r => r.Failed))
        {
            throw new BenchmarkException($"{results.Count(r => r.Failed)} images failed in the end-to-end run; the first: {results.First(r => r.Failed).Failure}");
        }

        return new Run(ids.Count, stopwatch.Elapsed.TotalSeconds, StageShares(results), PeakMemory.ResidentMegabytes(), [.. worker.PassSizes], [.. worker.ConsumedBatchSizes]);
    }

    /// <summary>One image every <see cref="EndToEndOptions.LightIntervalMs"/>: what one user waits for.</summary>
    private static async Task<LightLoad> MeasureLightLoadAsync(
        ServiceConnections services, string captioner, EndToEndOptions options, List<byte[]> images, CancellationToken cancellationToken)
    {
        await using var worker = await BenchWorker.StartAsync(services, captioner, options.MaxNewTokens, WorkerSettings.Batched(5), options.WorkerSettings, cancellationToken);
        await using var producer = await Producer.StartAsync(services.RabbitMq, cancellationToken);
        var warmUp = await AnnounceAsync(producer, worker.Queue, "warm", images.Take(2).ToList(), cancellationToken);
        await producer.WaitForAsync(warmUp, TimeSpan.FromMinutes(2), cancellationToken);
        await Task.Delay(options.LightIntervalMs, cancellationToken);

        var ids = new List<string>();
        for (var i = 0; i < options.LightImages; i++)
        {
            ids.AddRange(await AnnounceAsync(producer, worker.Queue, $"light{i}", [images[i % images.Count]], cancellationToken));
            await Task.Delay(options.LightIntervalMs, cancellationToken);
        }

        await producer.WaitForAsync(ids, TimeSpan.FromMinutes(2), cancellationToken);
        var results = ids.Select(id => producer.Results[id]).ToList();
        var latency = results.Select(r => r.LatencyMs).Order().ToList();
        var model = results.Select(r => r.TimingsMs.GetValueOrDefault("caption")).Order().ToList();
        var overhead = results.Select(r => r.LatencyMs - r.TimingsMs.GetValueOrDefault("caption")).Order().ToList();
        Console.WriteLine(Invariant($"  light load: {ids.Count} images, one every {options.LightIntervalMs} ms: latency p50 {Percentile(latency, 0.5):F0} ms, p95 {Percentile(latency, 0.95):F0} ms"));
        return new LightLoad(ids.Count, Percentile(latency, 0.5), Percentile(latency, 0.95), Percentile(model, 0.5), Percentile(model, 0.95), Percentile(overhead, 0.95));
    }

    private static async Task<List<string>> AnnounceAsync(Producer producer, string queue, string prefix, List<byte[]> images, CancellationToken cancellationToken)
    {
        // All at once, like a producer flushing a burst of uploads: the queue holds the backlog before the worker has
        // taken much of it, rather than the producer trickling messages in while competing with inference for the CPU.
        var ids = images.Select((_, i) => Invariant($"{prefix}-{i:D5}-{Guid.NewGuid():N}")).ToList();
        await Task.WhenAll(ids.Select((id, i) => producer.SendAsync(queue, id, images[i], cancellationToken)));
        return ids;
    }

    /// <summary>Mean milliseconds per image in each stage the worker reports.</summary>
    private static Dictionary<string, double> StageShares(List<Producer.Result> results) =>
        results.SelectMany(r => r.TimingsMs).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value) / results.Count);

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Report(
        EndToEndOptions options, DateTimeOffset started, Bare bare, List<BatchTiming>? theirs, List<BatchTiming>? theirsByDefault,
        List<(int Batch, Run Run)> endToEnd, Run sequential, LightLoad? light)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"date: {started:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores"));
        text.AppendLine(Invariant($"ONNX Runtime intra-op threads: {bare.OnePassThreads} for one call at a time (bare model, transformers.js, sequential baseline); ") +
            Invariant($"the worker runs {bare.Passes} pass{(bare.Passes == 1 ? "" : "es")} at once with {bare.ThreadsPerPass} thread{(bare.ThreadsPerPass == 1 ? "" : "s")} each"));
        text.AppendLine(Invariant($"model: full-size stand-in distilvit captioner (ViT-B/16 + distilgpt2, quantized / q8), greedy, every caption exactly {options.MaxNewTokens} tokens on every side (min_length = max_length)"));
        if (options.WorkerSettings.Count > 0)
        {
            text.AppendLine("worker settings: " + string.Join(", ", options.WorkerSettings.Select(s => $"{s.Key}={s.Value}")));
        }

        text.AppendLine(Invariant($"images: {options.Images} distinct 224×224 PNG; end to end each announced {options.Repeat}× (inline bytes), after a warm-up"));
        text.AppendLine();
        text.AppendLine("transformers.js: q8 = the same *_quantized.onnx files as ours; fp32 = what it loads by default on a Node CPU");
        text.AppendLine();
        text.AppendLine("bare model: the faster of two runs, before and after the end-to-end runs; one pass = one call at a time over every core (what transformers.js is compared with);");
        text.AppendLine(Invariant($"side by side = {bare.Passes} calls at once as the worker runs them; e2e ÷ bare divides by the faster of the two"));
        text.AppendLine("batch | bare one pass img/s | bare side by side img/s | js q8 img/s | ours ÷ js q8 | js fp32 img/s | ours ÷ js fp32 | end to end img/s | e2e ÷ bare | e2e ÷ sequential | peak RSS MB");
        text.AppendLine("------|--------------------|-------------------------|-------------|--------------|---------------|----------------|------------------|------------|------------------|------------");
        foreach (var (batch, run) in endToEnd)
        {
            var model = bare.OnePass.First(b => b.Batch == batch).ImagesPerSecond;
            var sideBySide = bare.SideBySide?.First(b => b.Batch == batch).ImagesPerSecond;
            var js = theirs?.FirstOrDefault(t => t.Batch == batch)?.ImagesPerSecond;
            var jsDefault = theirsByDefault?.FirstOrDefault(t => t.Batch == batch)?.ImagesPerSecond;
            text.AppendLine(Invariant(
                $"{batch,5} | {model,18:F2} | {Figure(sideBySide),23} | {Figure(js),11} | {Ratio(model, js),12} | {Figure(jsDefault),13} | {Ratio(model, jsDefault),14} | {run.ImagesPerSecond,16:F2} | {run.ImagesPerSecond / bare.Best(batch),10:F2} | {run.ImagesPerSecond / sequential.ImagesPerSecond,15:F2}× | {run.PeakRssMb,11:F0}"));
        }

        text.AppendLine(Invariant($"sequential baseline (batch 1, one consumed batch at a time, one pass over every core, no overlap): {sequential.ImagesPerSecond:F2} img/s"));
        text.AppendLine();
        text.AppendLine("per-image stage times end to end, ms (inference stages are the forward pass the image was in):");
        foreach (var (batch, run) in endToEnd.Append((0, sequential)))
        {
            var label = batch == 0 ? "sequential" : "batch " + batch.ToString(CultureInfo.InvariantCulture);
            text.AppendLine(Invariant($"  {label,-10} ") + string.Join(", ", run.StageMs.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => Invariant($"{s.Key} {s.Value:F1}"))) +
                Invariant($"; {run.PassSizes.Count} forward passes, mean {Mean(run.PassSizes):F2} images") +
                Invariant($"; {run.ConsumedBatchSizes.Count} consumed batches, mean {Mean(run.ConsumedBatchSizes):F2} messages"));
        }

        if (light is not null)
        {
            text.AppendLine();
            text.AppendLine(Invariant(
                $"light load ({light.Images} images, one every {options.LightIntervalMs} ms, batch 5 settings): latency p50 {light.LatencyP50:F0} ms, p95 {light.LatencyP95:F0} ms; ") +
                Invariant($"model time p50 {light.ModelP50:F0} ms, p95 {light.ModelP95:F0} ms; latency − model time p95 {light.OverheadP95:F0} ms"));
        }

        text.AppendLine(Invariant($"peak RSS of this process (benchmark + worker + models): {PeakMemory.ResidentMegabytes():F0} MB"));
        return text.ToString();
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    private static double Mean(IReadOnlyList<int> values) => values.Count == 0 ? 0 : values.Average();

    private static string Figure(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "—";

    private static string Ratio(double ours, double? theirs) =>
        theirs is { } t ? (ours / t).ToString("F2", CultureInfo.InvariantCulture) + "×" : "—";

    private static Dictionary<string, string?> Overrides(string[] settings) =>
        settings.Select(s => s.Split('=', 2)).ToDictionary(
            p => p.Length == 2 ? p[0] : throw new ArgumentException($"--worker-setting '{p[0]}' is not Key=Value."),
            p => (string?)p[1],
            StringComparer.OrdinalIgnoreCase);

    /// <summary>An explicit --threads goes to the worker too, as one pass at a time with that many threads.</summary>
    private static Dictionary<string, string?> WithThreads(Dictionary<string, string?> settings, int threads)
    {
        if (threads == 0)
        {
            return settings;
        }

        if (settings.Keys.Any(key => key.StartsWith("Inference:", StringComparison.OrdinalIgnoreCase)))
        {
            throw new BenchmarkException("--threads and an Inference:* --worker-setting together: use one or the other.");
        }

        return new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase)
        {
            ["Inference:IntraOpThreads"] = threads.ToString(CultureInfo.InvariantCulture),
            ["Inference:ConcurrentPasses"] = "1",
        };
    }

    /// <summary>The bare captioner: one pass at a time, and side by side as the worker runs it (null when it runs one).</summary>
    private sealed record Bare(List<BatchTiming> OnePass, List<BatchTiming>? SideBySide, int OnePassThreads, int Passes, int ThreadsPerPass)
    {
        public double Best(int batch) => Math.Max(
            OnePass.First(b => b.Batch == batch).ImagesPerSecond,
            SideBySide?.First(b => b.Batch == batch).ImagesPerSecond ?? 0);
    }

    private sealed record EndToEndOptions(
        int Images, int Repeat, IReadOnlyList<int> Batches, int MaxNewTokens, int LightImages, int LightIntervalMs, bool SkipJs, int Threads,
        Dictionary<string, string?> WorkerSettings);

    /// <param name="PassSizes">Images per forward pass, in order.</param>
    /// <param name="ConsumedBatchSizes">Messages per consumed batch, in order.</param>
    private sealed record Run(
        int Images, double Seconds, Dictionary<string, double> StageMs, double PeakRssMb, IReadOnlyList<int> PassSizes, IReadOnlyList<int> ConsumedBatchSizes)
    {
        public double ImagesPerSecond => Images / Seconds;
    }

    private sealed record LightLoad(int Images, double LatencyP50, double LatencyP95, double ModelP50, double ModelP95, double OverheadP95);
}
