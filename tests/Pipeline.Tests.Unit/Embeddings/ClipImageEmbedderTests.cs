using Pipeline.Imaging.Tensors;
using Pipeline.Inference.Embeddings;
using SkiaSharp;
using static Pipeline.Testing.DrawnPictures;

namespace Pipeline.Tests.Unit.Embeddings;

public sealed class ClipImageEmbedderTests(StandInEmbedderFixture fixture) : IClassFixture<StandInEmbedderFixture>
{
    private ClipImageEmbedder Embedder => fixture.Embedder;

    [Fact]
    public void StandInModelIsFlaggedAndNamedFromItsMarker()
    {
        Assert.True(Embedder.Identity.IsStandIn);
        Assert.Equal("stand-in/clip-vit-base-patch32", Embedder.Identity.ModelId);
        Assert.Equal(512, Embedder.Dimensions);
        Assert.Equal(224, Embedder.Preprocessing.ResizeShortestEdge);
    }

    [Fact]
    public async Task EmbeddingsHaveUnitLength()
    {
        var vectors = await Embedder.EmbedAsync(Batch(Noise(1), Noise(2)), 2, TestContext.Current.CancellationToken);

        Assert.Equal(2, vectors.Length);
        Assert.All(vectors, v =>
        {
            Assert.Equal(512, v.Length);
            Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 1e-4);
        });
    }

    [Fact]
    public async Task FiveImagesInOneBatchGetTheVectorsTheyGetOneAtATime()
    {
        float[][] images = [Noise(1), Noise(2), Noise(3), Noise(4), Noise(5)];
        var cancel = TestContext.Current.CancellationToken;

        var batch = await Embedder.EmbedAsync(Batch(images), 5, cancel);

        for (var i = 0; i < 5; i++)
        {
            var alone = Assert.Single(await Embedder.EmbedAsync(images[i], 1, cancel));
            Assert.Equal(alone, batch[i], (a, b) => Math.Abs(a - b) < 1e-4f);
        }
    }

    [Fact]
    public async Task DifferentImagesGiveDifferentVectors()
    {
        var vectors = await Embedder.EmbedAsync(Batch(Noise(1), Noise(2)), 2, TestContext.Current.CancellationToken);

        Assert.True(Cosine(vectors[0], vectors[1]) < 0.99, $"cosine {Cosine(vectors[0], vectors[1])}");
    }

    [Fact]
    public async Task TooFewPixelsForTheCountIsRefused()
    {
        await Assert.ThrowsAsync<ArgumentException>(
            () => Embedder.EmbedAsync(Noise(1), 2, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task EncodedPhotosGoThroughDecoderTensorWriterAndModel()
    {
        var config = Embedder.Preprocessing;
        var pixels = new float[2 * config.TensorLength];
        SKColor[] tints = [new(200, 40, 40), new(40, 60, 200)];
        for (var i = 0; i < 2; i++)
        {
            using var photo = PhotoLike(640, 480, tints[i], seed: i);
            using var decoded = Decoder().Decode(Jpeg(photo), TestContext.Current.CancellationToken);
            TensorWriter.Write(decoded.Bitmap, config, pixels.AsSpan(i * config.TensorLength, config.TensorLength));
        }

        var vectors = await Embedder.EmbedAsync(pixels, 2, TestContext.Current.CancellationToken);

        Assert.All(vectors, v => Assert.All(v, x => Assert.True(float.IsFinite(x))));
        var cosine = Cosine(vectors[0], vectors[1]);
        Assert.True(cosine < 0.99, $"red and blue photos: cosine {cosine}");
    }

    private static float[] Batch(params float[][] images) => [.. images.SelectMany(i => i)];

    /// <summary>A CLIP-normalised 3×224×224 tensor of uniform noise.</summary>
    private static float[] Noise(int seed)
    {
        var random = new Random(seed);
        var clip = PreprocessorConfig.Clip;
        var tensor = new float[clip.TensorLength];
        for (var i = 0; i < tensor.Length; i++)
        {
            var c = i / (224 * 224);
            tensor[i] = ((float)random.NextDouble() - clip.Mean[c]) / clip.Std[c];
        }

        return tensor;
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
