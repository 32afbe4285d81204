using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Ocr;
using Pipeline.Inference.Runtime;
using SkiaSharp;

namespace Pipeline.Benchmarks;

/// <summary>
/// Images/s of the real PP-OCRv4 reader over the sample photos (deploy/local/samples.sh) per micro-batch size, with the
/// share of each OCR stage: <c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- ocr</c>. With
/// <c>--shapes</c>, the input shapes of free and bucketed reading instead (<see cref="OcrShapesBenchmark"/>).
/// </summary>
internal static class OcrBenchmark
{
    public static Command Create()
    {
        var batches = new Option<string>("--batches") { Description = "Batch sizes, comma-separated.", DefaultValueFactory = _ => "1,2,3,4,5,8" };
        var passes = new Option<int>("--passes") { Description = "Timed passes over the pictures per batch size (per setup with --shapes).", DefaultValueFactory = _ => 2 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads; 0 = one per processor, as the worker's default.", DefaultValueFactory = _ => 0 };
        var shapes = new Option<bool>("--shapes")
        {
            Description = "Instead: distinct input shapes, ms/picture and readings over 100 mixed pictures in micro-batches of 5, free and with shape buckets.",
        };
        var ratios = new Option<string>("--ratios") { Description = "With --shapes: the Ocr:DetectionBucketRatio values to compare, comma-separated.", DefaultValueFactory = _ => "1.25,2" };
        var command = new Command("ocr", "Images/s of PP-OCRv4 (real weights) over the sample photos, per batch size.") { batches, passes, threads, shapes, ratios };
        command.SetAction((result, cancellationToken) => RunAsync(
            BatchSizes.Parse(result.GetRequiredValue(batches)),
            Math.Max(1, result.GetValue(passes)),
            Math.Max(0, result.GetValue(threads)),
            result.GetValue(shapes) ? Ratios(result.GetRequiredValue(ratios)) : null,
            cancellationToken));
        return command;
    }

    /// <param name="shapeRatios">Bucket ratios for <c>--shapes</c>; null for the throughput table.</param>
    private static async Task<int> RunAsync(int[] batchSizes, int passes, int threads, double[]? shapeRatios, CancellationToken cancellationToken)
    {
        var root = ModelFolders.RepositoryRoot();
        var modelFolder = Path.Combine(root, "models", "cache", "ppocr-v4");
        var sampleFolder = Path.Combine(root, ".local", "samples");
        if (!File.Exists(Path.Combine(modelFolder, "model.lock.json")) || !Directory.Exists(sampleFolder))
        {
            await Console.Error.WriteLineAsync("Needs models/cache/ppocr-v4 (pipeline models fetch ppocr-v4) and .local/samples (deploy/local/samples.sh).");
            return 2;
        }

        var inference = new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Cpu, IntraOpThreads = threads };
        var sessions = new OnnxSessionFactory(Options.Create(inference), NullLogger<OnnxSessionFactory>.Instance);
        if (shapeRatios is not null)
        {
            return await OcrShapesBenchmark.RunAsync(modelFolder, sampleFolder, sessions, inference, shapeRatios, passes, cancellationToken);
        }

        var images = Directory.EnumerateFiles(sampleFolder).Order(StringComparer.Ordinal)
            .Select(SKBitmap.Decode).OfType<SKBitmap>().ToList();
        using var reader = new PaddleTextReader(new OcrOptions { Path = modelFolder }, sessions);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PP-OCRv4 over {images.Count} sample photos ({images.Sum(i => (long)i.Width * i.Height) / 1e6:F1} MP), {passes} passes per batch size, " +
            $"{Environment.ProcessorCount} cores, intra-op threads {inference.EffectiveIntraOpThreads}"));
        await ReadAllAsync(reader, images, batchSizes.Max(), cancellationToken); // warm-up: arenas, kernels

        Console.WriteLine("batch | images/s | ms/image | detect | boxes | classify | recognise | prepare | lines");
        Console.WriteLine("------|----------|----------|--------|-------|----------|-----------|---------|------");
        foreach (var batch in batchSizes)
        {
            var before = Snapshot(reader.Times);
            var stopwatch = Stopwatch.StartNew();
            for (var pass = 0; pass < passes; pass++)
            {
                await ReadAllAsync(reader, images, batch, cancellationToken);
            }

            var elapsed = stopwatch.Elapsed;
            var spent = Snapshot(reader.Times).Select((t, i) => t - before[i]).ToArray();
            var total = spent.Take(5).Sum();
            var count = images.Count * passes;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{batch,5} | {count / elapsed.TotalSeconds,8:F2} | {elapsed.TotalMilliseconds / count,8:F0} | {Share(spent[1], total)} | {Share(spent[2], total)} | " +
                $"{Share(spent[3], total),8} | {Share(spent[4], total),9} | {Share(spent[0], total),7} | {spent[5] / passes,5:F0}"));
        }

        images.ForEach(i => i.Dispose());
        return 0;
    }

    /// <summary>"1.25,1.5" → [1.25, 1.5].</summary>
    private static double[] Ratios(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => double.Parse(r, CultureInfo.InvariantCulture))];

    private static async Task ReadAllAsync(PaddleTextReader reader, List<SKBitmap> images, int batch, CancellationToken cancellationToken)
    {
        foreach (var chunk in images.Chunk(batch))
        {
            await reader.ReadAsync(chunk, cancellationToken);
        }
    }

    /// <returns>prepare, detect, boxes, classify, recognise (ms), lines.</returns>
    private static double[] Snapshot(OcrStageTimes times) =>
        [times.Prepare.TotalMilliseconds, times.Detect.TotalMilliseconds, times.Boxes.TotalMilliseconds, times.Classify.TotalMilliseconds, times.Recognize.TotalMilliseconds, times.Lines];

    private static string Share(double part, double total) => string.Create(CultureInfo.InvariantCulture, $"{part / total,6:P0}");
}
