using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Imaging;
using Pipeline.Imaging.Tensors;
using Pipeline.Inference.Captioning;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Runtime;

namespace Pipeline.Benchmarks;

/// <summary>One timed pass over all images at one batch size.</summary>
/// <param name="Tokens">Captioner only: tokens generated in the timed pass (per image: after the start token, up to and including EOS).</param>
internal sealed record BatchTiming(int Batch, int Images, double Seconds, long? Tokens = null)
{
    public double ImagesPerSecond => Images / Seconds;
}

/// <summary>
/// The project's own path: <see cref="ClipImageEmbedder"/> and <see cref="VisionEncoderDecoderCaptioner"/> on sessions
/// from <see cref="OnnxSessionFactory"/> (CPU), the images decoded and written as tensors once, before any timing.
/// </summary>
internal sealed class OursRunner(BenchOptions options)
{
    private readonly OnnxSessionFactory _sessions = new(
        Options.Create(new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Cpu, IntraOpThreads = options.Threads }),
        NullLogger<OnnxSessionFactory>.Instance);

    public async Task<List<BatchTiming>> ClipAsync(string folder, IReadOnlyList<string> images, CancellationToken cancellationToken)
    {
        using var embedder = new ClipImageEmbedder(new ImageEmbedderOptions { Path = folder, Variant = "fp32" }, _sessions);
        var pixels = Preprocess(images, embedder.Preprocessing);
        return await TimeBatchesAsync(pixels, embedder.Preprocessing.TensorLength, images.Count, async (batch, count) =>
        {
            await embedder.EmbedAsync(batch, count, cancellationToken);
            return 0;
        });
    }

    /// <param name="passes">Calls at once: the images' batches are shared out among that many concurrent callers.</param>
    public async Task<List<BatchTiming>> CaptionAsync(string folder, IReadOnlyList<string> images, CancellationToken cancellationToken, int passes = 1)
    {
        var captionerOptions = new CaptionerOptions
        {
            Path = folder,
            Variant = options.CaptionerVariant,
            NumBeams = 1,
            MaxLength = 1 + options.MaxNewTokens,
        };
        using var captioner = new VisionEncoderDecoderCaptioner(captionerOptions, _sessions);
        var pixels = Preprocess(images, captioner.Preprocessing);
        return await TimeBatchesAsync(pixels, captioner.Preprocessing.TensorLength, images.Count, async (batch, count) =>
        {
            var captions = await captioner.CaptionAsync(batch, count, cancellationToken);
            // TokenIds start with the decoder start token and stop at EOS (finished rows leave the batch).
            return captions.Sum(c => (long)c.TokenIds.Count - 1);
        }, passes);
    }

    private static float[] Preprocess(IReadOnlyList<string> images, PreprocessorConfig preprocessing)
    {
        var decoder = new ImageDecoder(Options.Create(new ImagingOptions()));
        var length = preprocessing.TensorLength;
        var pixels = new float[images.Count * length];
        for (var i = 0; i < images.Count; i++)
        {
            using var decoded = decoder.Decode(File.ReadAllBytes(images[i]));
            TensorWriter.Write(decoded.Bitmap, preprocessing, pixels.AsSpan(i * length, length));
        }

        return pixels;
    }

    /// <summary>
    /// Per batch size: one warm-up batch (the first images) per caller, then every image in batches of that size,
    /// timed; with several callers each takes the next batch as soon as its last one is done.
    /// </summary>
    private async Task<List<BatchTiming>> TimeBatchesAsync(
        float[] pixels, int length, int count, Func<Memory<float>, int, Task<long>> run, int passes = 1)
    {
        var timings = new List<BatchTiming>();
        foreach (var size in options.Batches)
        {
            var first = Math.Min(size, count);
            await Task.WhenAll(Enumerable.Range(0, passes).Select(_ => Task.Run(() => run(pixels.AsMemory(0, first * length), first))));
            var next = 0;
            var stopwatch = Stopwatch.StartNew();
            var tokens = await Task.WhenAll(Enumerable.Range(0, passes).Select(_ => Task.Run(async () =>
            {
                long generated = 0;
                for (var start = Interlocked.Add(ref next, size) - size; start < count; start = Interlocked.Add(ref next, size) - size)
                {
                    var n = Math.Min(size, count - start);
                    generated += await run(pixels.AsMemory(start * length, n * length), n);
                }

                return generated;
            })));
            stopwatch.Stop();
            timings.Add(new BatchTiming(size, count, stopwatch.Elapsed.TotalSeconds, tokens.Sum()));
        }

        return timings;
    }
}

/// <summary>One line per measured batch size, as each side finishes a model.</summary>
internal static class Progress
{
    public static void Report(string side, string model, BatchTiming timing)
    {
        var tokens = timing.Tokens is > 0 ? $", {timing.Tokens} tokens" : "";
        Console.WriteLine(FormattableString.Invariant(
            $"  {side} {model} batch {timing.Batch}: {timing.Images} images in {timing.Seconds:F3} s = {timing.ImagesPerSecond:F2} img/s{tokens}"));
    }
}
