using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Imaging;
using Pipeline.Imaging.Tensors;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Runtime;
using Pipeline.StandInModels;

namespace Pipeline.Conformance;

/// <summary>
/// One CLIP vision stand-in folder (Xenova layout), eight PNGs, and both loaders' outputs for all of them: ours
/// (ImageDecoder → TensorWriter → ClipImageEmbedder) and transformers.js' (AutoProcessor +
/// CLIPVisionModelWithProjection, one node process for the whole batch).
/// </summary>
public sealed class ClipConformanceFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new();

    public string ModelFolder => _folder.Sub("clip");

    public IReadOnlyList<ConformanceImage> ExactSize { get; private set; } = [];

    public IReadOnlyList<ConformanceImage> OtherSizes { get; private set; } = [];

    public IReadOnlyList<ConformanceImage> All => [.. ExactSize, .. OtherSizes];

    /// <summary>Our CHW tensors, in <see cref="All"/> order.</summary>
    public float[][] OurPixels { get; private set; } = [];

    /// <summary>Our embeddings (ClipImageEmbedder normalises them), in <see cref="All"/> order.</summary>
    public float[][] OurEmbeddings { get; private set; } = [];

    public TimeSpan OurElapsed { get; private set; }

    internal ClipImageReference Reference { get; private set; } = new();

    public async ValueTask InitializeAsync()
    {
        var cancel = TestContext.Current.CancellationToken;
        ClipStandIn.Write(ModelFolder, new ClipStandInOptions { Layout = ClipStandInLayout.Xenova });
        var images = Directory.CreateDirectory(_folder.Sub("images")).FullName;
        ExactSize = ConformanceImages.WriteExactSize(images);
        OtherSizes = ConformanceImages.WriteOtherSizes(images);

        // transformers.js runs in its own process while we compute our side.
        var reference = TransformersJs.Default.ClipImageAsync(
            new ClipImageRequest { Model = ModelFolder, Images = [.. All.Select(i => i.Path)], ReturnPixelValues = true }, cancel);

        var clock = Stopwatch.StartNew();
        using (var embedder = OpenEmbedder(ModelFolder))
        {
            var decoder = new ImageDecoder(Options.Create(new ImagingOptions()));
            var length = embedder.Preprocessing.TensorLength;
            var batch = new float[All.Count * length];
            OurPixels = new float[All.Count][];
            for (var i = 0; i < All.Count; i++)
            {
                using var decoded = decoder.Decode(await File.ReadAllBytesAsync(All[i].Path, cancel), TestContext.Current.CancellationToken);
                TensorWriter.Write(decoded.Bitmap, embedder.Preprocessing, batch.AsSpan(i * length, length));
                OurPixels[i] = batch.AsSpan(i * length, length).ToArray();
            }

            OurEmbeddings = await embedder.EmbedAsync(batch, All.Count, cancel);
        }

        OurElapsed = clock.Elapsed;
        Reference = await reference;
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }

    internal static ClipImageEmbedder OpenEmbedder(string folder) => new(new ImageEmbedderOptions { Path = folder }, CpuSessions());

    internal static OnnxSessionFactory CpuSessions() => new(
        Options.Create(new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Cpu }),
        NullLogger<OnnxSessionFactory>.Instance);
}

public sealed class ClipImageConformanceTests(ClipConformanceFixture fixture) : IClassFixture<ClipConformanceFixture>
{
    // Same preprocessing, same graph, two ONNX Runtime builds (C# 1.31 and onnxruntime-node 1.30): only float
    // summation order may differ.
    private const double ExactCosineDistance = 1e-4;

    // Both sides compute (p/255 - mean)/std in float32, in a different order: a few ulp at |x| <= 2.2.
    private const float ExactPixelTolerance = 1e-5f;

    // Resampling cannot be made equal here. transformers.js in Node resizes with sharp/libvips `affine` and its bicubic
    // (Catmull-Rom) interpolator: point sampling at each output pixel, kernel not widened for downscales (no
    // antialiasing), fixed-point arithmetic on 8-bit pixels. We use Skia's Catmull-Rom cubic, after a mipmap halving
    // when reducing more than 2× (which does antialias); PIL, the Python reference, widens the kernel instead. So for
    // other sizes the test prints the differences and bounds only the mean pixel difference, which measures the
    // preprocessing itself: measured 0.146 for 640×480 pixel noise (the worst case for any resampler), 0.022 for the
    // 1000×200 panorama, 0.003 for 300×500 shapes. Small preprocessing errors are the 224×224 tests' job. Embedding
    // distances for these images depend on how much the random-weight model amplifies resampling differences
    // (measured up to 0.075 on the noise image), so they are reported, not bounded.
    private const double ResizedMeanPixelDifference = 0.25;

    [Fact]
    public void ImagesAreStoredAsClaimed()
    {
        Assert.All(fixture.All, image => Assert.Equal(image.PngColorType, ConformanceImages.ReadPngColorType(image.Path)));
        Assert.All(fixture.ExactSize, image => Assert.Equal((224, 224), (image.Width, image.Height)));
    }

    [Fact]
    public void ReferenceProcessedTheWholeBatch()
    {
        var reference = fixture.Reference;
        Report(reference.Describe());
        Report($"ours (decode + tensor + ORT, in-process, model load included): {fixture.OurElapsed.TotalMilliseconds:F0} ms");

        Assert.Equal("clip-image", reference.Task);
        Assert.NotNull(reference.PixelValuesShape);
        Assert.Equal([fixture.All.Count, 3, 224, 224], reference.PixelValuesShape);
        Assert.All(reference.PixelValuesShapes, shape => Assert.Equal([3, 224, 224], shape));
        Assert.Equal(fixture.All.Count, reference.Embeddings.Length);
        Assert.All(reference.Embeddings, e => Assert.Equal(ClipGraphs.ProjectionDim, e.Length));
        Assert.All(fixture.OurEmbeddings, e => Assert.Equal(ClipGraphs.ProjectionDim, e.Length));
    }

    [Fact]
    public void ExactSizePixelTensorsEqualTransformersJs()
    {
        var worst = 0f;
        for (var i = 0; i < fixture.ExactSize.Count; i++)
        {
            var (max, mean, at) = Difference(fixture.OurPixels[i], fixture.Reference.Pixels(i));
            Report($"pixels {fixture.ExactSize[i]}: max |Δ| {max:E2} at {Where(at)}, mean |Δ| {mean:E2}");
            Assert.True(max <= ExactPixelTolerance, $"{fixture.ExactSize[i]}: pixel_values differ by {max} at {Where(at)} (mean {mean})");
            worst = Math.Max(worst, max);
        }

        Report($"224×224 images: largest |Δ pixel_values| {worst:E2}");
    }

    [Fact]
    public void ExactSizeEmbeddingsMatchTransformersJs()
    {
        var worst = 0.0;
        for (var i = 0; i < fixture.ExactSize.Count; i++)
        {
            var distance = CosineDistance(fixture.OurEmbeddings[i], fixture.Reference.Embeddings[i]);
            Report($"embedding {fixture.ExactSize[i]}: cosine distance {distance:E2}");
            Assert.True(distance <= ExactCosineDistance, $"{fixture.ExactSize[i]}: cosine distance {distance} > {ExactCosineDistance}");
            worst = Math.Max(worst, distance);
        }

        Report($"224×224 images: largest cosine distance {worst:E2}");
    }

    [Fact]
    public void DifferentImagesGiveClearlyDifferentEmbeddings()
    {
        // Otherwise agreeing within 1e-4 would prove nothing (a model that ignored its input would pass).
        var nearest = double.MaxValue;
        var all = fixture.All;
        for (var i = 0; i < all.Count; i++)
        {
            for (var j = i + 1; j < all.Count; j++)
            {
                nearest = Math.Min(nearest, CosineDistance(fixture.OurEmbeddings[i], fixture.OurEmbeddings[j]));
            }
        }

        Report($"closest pair of different images: cosine distance {nearest:E2}");
        Assert.True(nearest > 100 * ExactCosineDistance, $"two different images are only {nearest} apart");
    }

    [Fact]
    public void OtherSizesStayCloseToTransformersJs()
    {
        var offset = fixture.ExactSize.Count;
        var measured = new List<(ConformanceImage Image, double Distance, float Max, double Mean)>();
        for (var i = 0; i < fixture.OtherSizes.Count; i++)
        {
            var image = fixture.OtherSizes[i];
            var (max, mean, at) = Difference(fixture.OurPixels[offset + i], fixture.Reference.Pixels(offset + i));
            var distance = CosineDistance(fixture.OurEmbeddings[offset + i], fixture.Reference.Embeddings[offset + i]);
            Report($"{image}: cosine distance {distance:E2}; pixel_values max |Δ| {max:F3} at {Where(at)}, mean |Δ| {mean:F4}");
            measured.Add((image, distance, max, mean));
        }

        Report($"other sizes: largest cosine distance {measured.Max(m => m.Distance):E2}, largest |Δ pixel_values| {measured.Max(m => m.Max):F3}");
        Assert.All(measured, m => Assert.True(
            m.Mean < ResizedMeanPixelDifference, $"{m.Image}: mean |Δ pixel_values| {m.Mean} ≥ {ResizedMeanPixelDifference}"));
    }

    /// <summary>1 - cos between our (normalised) vector and transformers.js' raw one.</summary>
    internal static double CosineDistance(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return 1 - (dot / Math.Sqrt(na * nb));
    }

    private static (float Max, double Mean, int At) Difference(float[] ours, float[] theirs)
    {
        Assert.Equal(ours.Length, theirs.Length);
        float max = 0;
        double sum = 0;
        var at = 0;
        for (var i = 0; i < ours.Length; i++)
        {
            var d = Math.Abs(ours[i] - theirs[i]);
            sum += d;
            if (d > max)
            {
                max = d;
                at = i;
            }
        }

        return (max, sum / ours.Length, at);
    }

    private static string Where(int index)
    {
        const int plane = 224 * 224;
        return string.Create(CultureInfo.InvariantCulture, $"c{index / plane} y{index % plane / 224} x{index % 224}");
    }

    internal static void Report(string line)
    {
        TestContext.Current.SendDiagnosticMessage(line);
        TestContext.Current.TestOutputHelper?.WriteLine(line);
    }
}
