using System.CommandLine;
using System.Globalization;
using Pipeline.Inference.Runtime;

namespace Pipeline.Benchmarks;

internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        var size = new Option<string>("--size") { Description = "Stand-in model size: full (the real sizes) or tiny (for trying the command).", DefaultValueFactory = _ => "full" };
        size.AcceptOnlyFromAmong("full", "tiny");
        var images = new Option<int>("--images") { Description = "Distinct 224×224 images per pass.", DefaultValueFactory = _ => 10 };
        var batches = new Option<string>("--batches") { Description = "Batch sizes, comma-separated.", DefaultValueFactory = _ => "1,2,3,4,5" };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Longest caption (greedy, both sides).", DefaultValueFactory = _ => 20 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads on both sides; 0 = one per processor, as the worker's default.", DefaultValueFactory = _ => 0 };
        var variant = new Option<string>("--captioner-variant") { Description = "quantized (*_quantized.onnx, transformers.js q8) or fp32.", DefaultValueFactory = _ => "quantized" };
        variant.AcceptOnlyFromAmong("quantized", "fp32");
        var skipJs = new Option<bool>("--skip-js") { Description = "Measure only the C# side." };

        var models = new Command("models", "Images/s of the CLIP image tower and the distilvit captioner, C# vs transformers.js, per batch size.")
        {
            size, images, batches, maxNewTokens, threads, variant, skipJs,
        };
        models.SetAction(async (result, cancellationToken) =>
        {
            BenchOptions options;
            try
            {
                options = new BenchOptions(
                    result.GetRequiredValue(size) == "full",
                    Positive(result.GetValue(images), "--images"),
                    BatchSizes.Parse(result.GetRequiredValue(batches)),
                    Positive(result.GetValue(maxNewTokens), "--max-new-tokens"),
                    result.GetValue(threads) >= 0 ? result.GetValue(threads) : throw new ArgumentException("--threads must be 0 or more."),
                    result.GetRequiredValue(variant),
                    result.GetValue(skipJs));
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }

            return await ModelsBenchmark.RunAsync(options, cancellationToken);
        });

        var root = new RootCommand("Benchmarks of the Pipeline model code.") { models, OcrBenchmark.Create(), EndToEnd.PipelineBenchmark.Create(), Soak.SoakBenchmark.Create(), Searching.SearchBenchmark.Create(), Photos.DecodeBenchmark.Create(), Photos.PhotoPipelineBenchmark.Create(), Memory.MemoryBenchmark.Create(), Florence.FlorenceBenchmark.Create(), Searching.FullTextIndexBenchmark.Create(), Searching.QueryTowerBenchmark.Create() };
        return root.Parse(args).InvokeAsync();
    }

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be at least 1.");
}

/// <param name="Full">Full-size stand-ins (ViT-B/32 CLIP, ViT-B/16 + distilgpt2 captioner); false for tiny ones.</param>
/// <param name="CaptionerVariant"><c>quantized</c> or <c>fp32</c>, as <c>Models:Captioner:Variant</c>.</param>
internal sealed record BenchOptions(
    bool Full, int Images, IReadOnlyList<int> Batches, int MaxNewTokens, int Threads, string CaptionerVariant, bool SkipJs)
{
    public string SizeName => Full ? "full" : "tiny";

    /// <summary>Intra-op threads given to every side: 0 resolves as the worker's <c>Inference:IntraOpThreads</c> does.</summary>
    public int EffectiveThreads => new InferenceOptions { IntraOpThreads = Threads }.EffectiveIntraOpThreads;

    /// <summary>transformers.js' dtype for the captioner's files.</summary>
    public string JsCaptionerDtype => CaptionerVariant == "quantized" ? "q8" : "fp32";
}
