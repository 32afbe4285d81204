using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Imaging;
using Pipeline.Imaging.Tensors;
using Pipeline.Inference.Florence;
using Pipeline.Inference.Runtime;
using Pipeline.StandInModels.Florence;

namespace Pipeline.Benchmarks.Florence;

/// <summary>
/// Florence-2 (a stand-in in the real layout and, at full size, the real text sizes; random weights, so every answer
/// is exactly as long on both sides): images/s per task and batch size, ours against transformers.js one call at a
/// time on the same files and threads, and three tasks sharing one vision pass against three separate runs.
/// </summary>
internal static class FlorenceBenchmark
{
    private static readonly FlorenceTask[] Tasks = [FlorenceTask.Caption, FlorenceTask.Objects, FlorenceTask.MoreDetailedCaption];

    public static Command Create()
    {
        var size = new Option<string>("--size") { Description = "Stand-in size: full (real text sizes, ViT-B vision) or tiny.", DefaultValueFactory = _ => "full" };
        size.AcceptOnlyFromAmong("full", "tiny");
        var images = new Option<int>("--images") { Description = "Distinct 768×768 pictures.", DefaultValueFactory = _ => 8 };
        var batches = new Option<string>("--batches") { Description = "Batch sizes, comma-separated.", DefaultValueFactory = _ => "1,2,4,8" };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads on both sides; 0 = one per processor.", DefaultValueFactory = _ => 0 };
        var variant = new Option<string>("--variant") { Description = "quantized (transformers.js q8) or fp32.", DefaultValueFactory = _ => "quantized" };
        variant.AcceptOnlyFromAmong("quantized", "fp32");
        var skipJs = new Option<bool>("--skip-js") { Description = "Measure only the C# side." };
        var command = new Command("florence", "Florence-2 images/s per task and batch size, ours vs transformers.js; three tasks on one vision pass vs three runs.")
        {
            size, images, batches, threads, variant, skipJs,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetRequiredValue(size) == "full",
            Math.Max(1, result.GetValue(images)),
            BatchSizes.Parse(result.GetRequiredValue(batches)),
            new InferenceOptions { IntraOpThreads = Math.Max(0, result.GetValue(threads)) }.EffectiveIntraOpThreads,
            result.GetRequiredValue(variant),
            result.GetValue(skipJs),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        bool full, int count, IReadOnlyList<int> batches, int threads, string variant, bool skipJs, CancellationToken cancellationToken)
    {
        var root = ModelFolders.RepositoryRoot();
        var folder = Path.Combine(root, ".local", "models", $"bench-florence-{(full ? "full" : "tiny")}");
        var stopwatch = Stopwatch.StartNew();
        var written = FlorenceStandIn.WriteOrReuse(folder, new FlorenceStandInOptions { Size = full ? FlorenceSize.Full : FlorenceSize.Tiny, Quantized = true });
        Console.WriteLine($"model: {folder} ({(written.Reused ? "reused" : "written")} in {stopwatch.Elapsed.TotalSeconds:F1} s), variant {variant}, {threads} intra-op thread(s) on both sides");
        var files = BenchImages.Write(Path.Combine(root, ".local", "bench-florence-images"), count, side: 768);
        var maxNewTokens = FlorenceStandInOptions.DefaultEosAfterTokens + 1;

        var sessions = new OnnxSessionFactory(
            Options.Create(new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Cpu, IntraOpThreads = threads }),
            NullLogger<OnnxSessionFactory>.Instance);
        using var florence = new FlorenceCaptioner(
            new FlorenceOptions { Path = folder, Variant = variant, NumBeams = 1, MaxNewTokens = maxNewTokens }, sessions);
        var length = florence.Preprocessing.TensorLength;
        var pixels = Preprocess(files, florence.Preprocessing);
        var sizes = Enumerable.Repeat((768, 768), count).ToList();

        Task<FlorenceTiming[]> Measure(IReadOnlyList<FlorenceTask> tasks, int batch) => TimeAsync(florence, pixels, length, sizes, tasks, batch, cancellationToken);
        var ours = new List<(int Batch, Dictionary<string, FlorenceTiming> Separate, FlorenceTiming Shared)>();
        foreach (var batch in batches)
        {
            var separate = new Dictionary<string, FlorenceTiming>();
            foreach (var task in Tasks)
            {
                separate[task.Token] = (await Measure([task], batch))[0];
                Console.WriteLine($"  ours {task.Token} batch {batch}: {separate[task.Token].ImagesPerSecond:F2} img/s");
            }

            var shared = (await Measure(Tasks, batch))[0];
            Console.WriteLine($"  ours three tasks on one vision pass, batch {batch}: {shared.ImagesPerSecond:F2} img/s");
            ours.Add((batch, separate, shared));
        }

        List<FlorenceTiming> theirs = [];
        if (!skipJs)
        {
            var js = TransformersJsRunner.ForCheckout(root);
            js.CheckInstalled();
            var response = await js.RunAsync(
                new JsBenchRequest(files, [1], maxNewTokens, threads)
                {
                    Florence = folder, FlorenceTasks = [.. Tasks.Select(t => t.Token)], FlorenceDtype = variant == "quantized" ? "q8" : "fp32",
                },
                cancellationToken);
            theirs = response.Florence;
            Console.WriteLine($"transformers.js {response.Versions.GetValueOrDefault("transformers")} / onnxruntime-node {response.Versions.GetValueOrDefault("onnxruntime")}, session options {response.SessionOptions?.ToJsonString()}");
        }

        Print(ours, theirs, count);
        return 0;
    }

    /// <summary>One warm-up batch, then every image in batches of <paramref name="batch"/>: one vision pass per batch for all <paramref name="tasks"/>.</summary>
    private static async Task<FlorenceTiming[]> TimeAsync(
        FlorenceCaptioner florence, float[] pixels, int length, List<(int, int)> sizes, IReadOnlyList<FlorenceTask> tasks, int batch, CancellationToken cancellationToken)
    {
        var count = sizes.Count;
        await florence.GenerateAsync(pixels.AsMemory(0, Math.Min(batch, count) * length), sizes[..Math.Min(batch, count)], tasks, cancellationToken);
        long tokens = 0;
        var stopwatch = Stopwatch.StartNew();
        for (var start = 0; start < count; start += batch)
        {
            var rows = Math.Min(batch, count - start);
            var answers = await florence.GenerateAsync(pixels.AsMemory(start * length, rows * length), sizes.GetRange(start, rows), tasks, cancellationToken);
            tokens += answers.Values.Sum(a => a.Ids.Sum(ids => ids.Count - 1L));
        }

        return [new FlorenceTiming(string.Join('+', tasks.Select(t => t.Token)), batch, count, stopwatch.Elapsed.TotalSeconds, tokens)];
    }

    private static float[] Preprocess(IReadOnlyList<string> files, PreprocessorConfig layout)
    {
        var decoder = new ImageDecoder(Options.Create(new ImagingOptions { MaxSide = 768, MinSide = 1 }));
        var pixels = new float[files.Count * layout.TensorLength];
        for (var i = 0; i < files.Count; i++)
        {
            using var image = decoder.Decode(File.ReadAllBytes(files[i]), CancellationToken.None);
            TensorWriter.Write(image.Bitmap, layout, pixels.AsSpan(i * layout.TensorLength, layout.TensorLength));
        }

        return pixels;
    }

    private static void Print(List<(int Batch, Dictionary<string, FlorenceTiming> Separate, FlorenceTiming Shared)> ours, List<FlorenceTiming> theirs, int count)
    {
        Console.WriteLine();
        Console.WriteLine($"images/s over {count} pictures; transformers.js one call at a time (batch 1), greedy on both sides");
        Console.WriteLine("batch | " + string.Join(" | ", Tasks.Select(t => $"ours {t.Token}")) + " | three separate runs | three tasks, one vision pass | shared ÷ separate");
        foreach (var (batch, separate, shared) in ours)
        {
            // Three separate runs of the same images: the time of each task's run added up.
            var separateSeconds = separate.Values.Sum(t => t.Seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{batch,5} | {string.Join(" | ", Tasks.Select(t => $"{separate[t.Token].ImagesPerSecond,12:F2}"))} | {count / separateSeconds,19:F2} | {shared.ImagesPerSecond,28:F2} | {separateSeconds / shared.Seconds,16:F2}×"));
        }

        if (theirs.Count == 0)
        {
            return;
        }

        var single = ours.FirstOrDefault(o => o.Batch == 1).Separate;
        Console.WriteLine();
        Console.WriteLine("task | transformers.js img/s | ours batch 1 img/s | ours ÷ js | tokens (js / ours per image)");
        foreach (var js in theirs)
        {
            var mine = single?.GetValueOrDefault(js.Task);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{js.Task} | {js.ImagesPerSecond:F2} | {(mine is null ? "—" : mine.ImagesPerSecond.ToString("F2", CultureInfo.InvariantCulture))} | " +
                $"{(mine is null ? "—" : (mine.ImagesPerSecond / js.ImagesPerSecond).ToString("F2", CultureInfo.InvariantCulture) + "×")} | " +
                $"{(double)js.Tokens / js.Images:F0} / {(mine is null ? "—" : ((double)mine.Tokens / mine.Images).ToString("F0", CultureInfo.InvariantCulture))}"));
        }
    }
}
