using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Benchmarks;

/// <summary>
/// <c>models</c>: stand-in folders, images, the C# side, then transformers.js on the same folders and images, then one
/// table. Returns 0 when both sides ran, 1 when either failed (the table still shows what was measured).
/// </summary>
internal static class ModelsBenchmark
{
    private const string ClipModel = "CLIP image tower";
    private const string CaptionerModel = "distilvit captioner";

    public static async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var loadAtStart = LoadAverage();
        var root = ModelFolders.RepositoryRoot();
        var jsRunner = TransformersJsRunner.ForCheckout(root);
        var imageFolder = Path.Combine(Path.GetTempPath(), $"pipeline-bench-{Environment.ProcessId}");
        try
        {
            if (!options.SkipJs)
            {
                jsRunner.CheckInstalled();
            }

            Console.WriteLine($"Stand-in models ({options.SizeName}):");
            var folders = ModelFolders.Prepare(root, options);
            var images = BenchImages.Write(imageFolder, options.Images);
            Console.WriteLine(Invariant($"{images.Count} images of {BenchImages.Side}×{BenchImages.Side} in {imageFolder}"));

            // Per model, C# then transformers.js (one node process each), so the two sides of a row run close together
            // in time on a machine whose load may drift.
            var ours = new OursRunner(options);
            var js = options.SkipJs ? null : jsRunner;
            var request = new JsBenchRequest(images, options.Batches, options.MaxNewTokens, options.EffectiveThreads);
            var clip = await MeasureAsync(
                $"{ClipModel}, fp32", "CLIP", () => ours.ClipAsync(folders.Clip, images, cancellationToken),
                js, request with { Clip = folders.Clip, ClipDtype = "fp32" }, r => r.ClipImage, cancellationToken);
            var caption = await MeasureAsync(
                $"{CaptionerModel}, {options.CaptionerVariant} / {options.JsCaptionerDtype}", "captioner",
                () => ours.CaptionAsync(folders.Captioner, images, cancellationToken),
                clip.JsError is null ? js : null, request with { Captioner = folders.Captioner, Dtype = options.JsCaptionerDtype },
                r => r.Caption, cancellationToken);
            var theirs = caption.Response ?? clip.Response;
            var jsError = clip.JsError ?? caption.JsError;

            Console.WriteLine();
            Console.Write(Header(options, folders, theirs, started, loadAtStart));
            Console.WriteLine();
            Console.Write(ResultTable.Format(
            [
                new ModelTimings(ClipModel, "fp32 / fp32", clip.Ours, clip.Theirs),
                new ModelTimings(CaptionerModel, $"{options.CaptionerVariant} / {options.JsCaptionerDtype}", caption.Ours, caption.Theirs),
            ]));
            Console.WriteLine(Invariant(
                $"img/s = {options.Images} images ÷ seconds of model calls, after one warm-up batch per size; preprocessing excluded on both sides."));
            Console.WriteLine(Invariant(
                $"ours ÷ theirs > 1: C# faster. tokens: generated in the timed pass (greedy, max_new_tokens {options.MaxNewTokens}, EOS included)."));

            if (caption.Theirs is not null)
            {
                var differ = caption.Ours.Zip(caption.Theirs).Where(p => p.First.Tokens != p.Second.Tokens).Select(p => p.First.Batch).ToList();
                if (differ.Count > 0)
                {
                    Console.WriteLine($"NOTE: the two sides generated different token counts at batch {string.Join(", ", differ)}.");
                }
            }

            if (jsError is not null)
            {
                await Console.Error.WriteLineAsync($"transformers.js failed: {jsError}");
                return 1;
            }

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

    /// <summary>Our side of one model, then transformers.js' (skipped when <paramref name="js"/> is null).</summary>
    private static async Task<Measured> MeasureAsync(
        string title, string label, Func<Task<List<BatchTiming>>> ours, TransformersJsRunner? js, JsBenchRequest request,
        Func<JsBenchResponse, List<BatchTiming>> select, CancellationToken cancellationToken)
    {
        Console.WriteLine($"{title}:");
        var timings = await ours();
        timings.ForEach(t => Progress.Report("C#", label, t));
        if (js is null)
        {
            return new Measured(timings, null, null, null);
        }

        try
        {
            var response = await js.RunAsync(request, cancellationToken);
            select(response).ForEach(t => Progress.Report("transformers.js", label, t));
            return new Measured(timings, select(response), response, null);
        }
        catch (BenchmarkException e)
        {
            return new Measured(timings, null, null, e.Message);
        }
    }

    private static string Header(BenchOptions options, ModelFolders folders, JsBenchResponse? theirs, DateTimeOffset started, string? loadAtStart)
    {
        var managed = typeof(InferenceSession).Assembly;
        var ortVersion = managed.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? managed.GetName().Version?.ToString();
        var threads = options.Threads == 0 ? Invariant($"{options.EffectiveThreads} (one per processor)") : Invariant($"{options.Threads}");
        var lines = new List<string>
        {
            Invariant($"date: {started:yyyy-MM-dd HH:mm} UTC"),
            Invariant($"machine: {Environment.ProcessorCount} logical cores{CpuModel()}, {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}"),
            loadAtStart is null ? "" : $"load average (1/5/15 min, all processes): {loadAtStart} at start, {LoadAverage()} at end",
            $"ours: {RuntimeInformation.FrameworkDescription}, Microsoft.ML.OnnxRuntime {ortVersion} (native {OrtEnv.Instance().GetVersionString()}), CPU execution provider",
            theirs is null
                ? "theirs: not run"
                : $"theirs: transformers.js {theirs.Versions.GetValueOrDefault("transformers")}, onnxruntime-node {theirs.Versions.GetValueOrDefault("onnxruntime")}, node {theirs.Versions.GetValueOrDefault("node")}, device cpu",
            $"intra-op threads: {threads} on both sides; inter-op threads and execution mode: ONNX Runtime defaults",
            $"graph optimisation: ours ORT_ENABLE_ALL (OnnxSessionFactory); theirs session_options {theirs?.SessionOptions?.ToJsonString() ?? "—"}",
            options.Full
                ? "models: full-size stand-ins with random weights: CLIP ViT-B/32 image tower; distilvit = ViT-B/16 encoder + distilgpt2 decoder (6 layers)"
                : "models: tiny stand-ins with random weights (hidden 32, 2 layers): for trying the command, not for figures",
            Invariant($"model files: CLIP {Size(folders.ClipVisionModel)}; captioner ") + string.Join(" + ", folders.CaptionerModels.Select(Size)),
            Invariant($"images: {options.Images} distinct {BenchImages.Side}×{BenchImages.Side} PNG; batch sizes {string.Join(",", options.Batches)}"),
        };
        return string.Concat(lines.Where(l => l.Length > 0).Select(l => l + Environment.NewLine));
    }

    private static string Size(string path) =>
        Invariant($"{Path.GetFileName(path)} {new FileInfo(path).Length / 1_000_000.0:F1} MB");

    /// <summary>", &lt;model name&gt;" from /proc/cpuinfo on Linux; empty elsewhere.</summary>
    private static string CpuModel()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (!File.Exists(cpuinfo))
        {
            return "";
        }

        var line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "" : ", " + line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private sealed record Measured(List<BatchTiming> Ours, List<BatchTiming>? Theirs, JsBenchResponse? Response, string? JsError);

    /// <summary>The first three fields of /proc/loadavg on Linux; null elsewhere.</summary>
    private static string? LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
