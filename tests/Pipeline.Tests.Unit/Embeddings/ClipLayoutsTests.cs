using Pipeline.Inference.Embeddings;

namespace Pipeline.Tests.Unit.Embeddings;

/// <summary>
/// Both real CLIP layouts load through the same embedders and, holding the same weights, put images and texts at
/// the same points: the loaders select tensors by name and handle int32 [1,77] text and static batch 1.
/// </summary>
public sealed class ClipLayoutsTests(ClipLayoutsFixture clip) : IClassFixture<ClipLayoutsFixture>
{
    private static readonly string[] Texts = ["a photo of a cat", "a photo of a dog", "a red double-decker bus in the rain"];

    [Fact]
    public void ModelIdsAndDimensionsComeFromEachFolder()
    {
        Assert.Equal(("stand-in/clip-vit-base-patch32", 512, true), (clip.XenovaTexts.Identity.ModelId, clip.XenovaTexts.Dimensions, clip.XenovaTexts.Identity.IsStandIn));
        Assert.Equal(("stand-in/immich-ViT-B-32__openai", 512, true), (clip.ImmichImages.Identity.ModelId, clip.ImmichImages.Dimensions, clip.ImmichImages.Identity.IsStandIn));
    }

    [Fact]
    public async Task TextsGetUnitVectorsThatTellQueriesApart()
    {
        var vectors = await clip.XenovaTexts.EmbedAsync(Texts, TestContext.Current.CancellationToken);

        Assert.Equal(3, vectors.Length);
        Assert.All(vectors, v => Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 5));
        Assert.True(Cosine(vectors[0], vectors[1]) < 0.999, "cat and dog must not embed to the same point");
    }

    [Fact]
    public async Task BatchedTextsEqualTextsEmbeddedOneByOneDespitePadding()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var batch = await clip.XenovaTexts.EmbedAsync(Texts, cancellationToken);
        for (var i = 0; i < Texts.Length; i++)
        {
            var alone = (await clip.XenovaTexts.EmbedAsync([Texts[i]], cancellationToken))[0];
            Assert.True(Cosine(batch[i], alone) > 1 - 1e-5, $"'{Texts[i]}' changed when padded into a batch");
        }
    }

    [Fact]
    public async Task XenovaAndImmichTextTowersAgree()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var xenova = await clip.XenovaTexts.EmbedAsync(Texts, cancellationToken);
        var immich = await clip.ImmichTexts.EmbedAsync(Texts, cancellationToken);

        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.True(Cosine(xenova[i], immich[i]) > 1 - 1e-5, $"layouts disagree on '{Texts[i]}'");
        }
    }

    [Fact]
    public async Task XenovaAndImmichImageTowersAgreeOnABatch()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var length = clip.XenovaImages.Preprocessing.TensorLength;
        Assert.Equal(length, clip.ImmichImages.Preprocessing.TensorLength);
        var random = new Random(7);
        var pixels = new float[3 * length];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)(random.NextDouble() * 4 - 2);
        }

        var xenova = await clip.XenovaImages.EmbedAsync(pixels, 3, cancellationToken);
        var immich = await clip.ImmichImages.EmbedAsync(pixels, 3, cancellationToken);

        for (var i = 0; i < 3; i++)
        {
            Assert.True(Cosine(xenova[i], immich[i]) > 1 - 1e-5, $"layouts disagree on image {i}");
        }

        Assert.True(Cosine(xenova[0], xenova[1]) < 0.999);
    }

    private static double Cosine(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
}
