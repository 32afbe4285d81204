using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Pipeline.StandInModels.Tests;

public sealed class ClipStandInModelTests(ClipStandInFixture fixture) : IClassFixture<ClipStandInFixture>
{
    private const long Eos = ClipStandInFixture.Eos;
    private static readonly long[] Cat = ClipStandInFixture.PhotoOfACat;

    [Fact]
    public void XenovaVisionIoMatchesTheExport()
    {
        var input = Assert.Single(fixture.XenovaVision.InputMetadata);
        Assert.Equal("pixel_values", input.Key);
        Assert.Equal(TensorElementType.Float, input.Value.ElementDataType);
        Assert.Equal([-1, 3, 224, 224], input.Value.Dimensions);
        Assert.Equal(["batch_size", "", "", ""], input.Value.SymbolicDimensions);

        var output = Assert.Single(fixture.XenovaVision.OutputMetadata);
        Assert.Equal("image_embeds", output.Key);
        Assert.Equal(TensorElementType.Float, output.Value.ElementDataType);
        Assert.Equal([-1, 512], output.Value.Dimensions);
        Assert.Equal(["batch_size", ""], output.Value.SymbolicDimensions);
    }

    [Fact]
    public void XenovaTextIoMatchesTheExport()
    {
        var input = Assert.Single(fixture.XenovaText.InputMetadata);
        Assert.Equal("input_ids", input.Key);
        Assert.Equal(TensorElementType.Int64, input.Value.ElementDataType);
        Assert.Equal([-1, -1], input.Value.Dimensions);
        Assert.Equal(["batch_size", "sequence_length"], input.Value.SymbolicDimensions);

        var output = Assert.Single(fixture.XenovaText.OutputMetadata);
        Assert.Equal("text_embeds", output.Key);
        Assert.Equal(TensorElementType.Float, output.Value.ElementDataType);
        Assert.Equal([-1, 512], output.Value.Dimensions);
        Assert.Equal(["batch_size", ""], output.Value.SymbolicDimensions);
    }

    [Fact]
    public void ImmichVisualIoMatchesTheExport()
    {
        var input = Assert.Single(fixture.ImmichVisual.InputMetadata);
        Assert.Equal("image", input.Key);
        Assert.Equal(TensorElementType.Float, input.Value.ElementDataType);
        Assert.Equal([1, 3, 224, 224], input.Value.Dimensions);
        Assert.All(input.Value.SymbolicDimensions, d => Assert.Equal("", d));

        var output = Assert.Single(fixture.ImmichVisual.OutputMetadata);
        Assert.Equal("embedding", output.Key);
        Assert.Equal(TensorElementType.Float, output.Value.ElementDataType);
        Assert.Equal([1, 512], output.Value.Dimensions);
        Assert.All(output.Value.SymbolicDimensions, d => Assert.Equal("", d));
    }

    [Fact]
    public void ImmichTextualIoMatchesTheExport()
    {
        var input = Assert.Single(fixture.ImmichTextual.InputMetadata);
        Assert.Equal("text", input.Key);
        Assert.Equal(TensorElementType.Int32, input.Value.ElementDataType);
        Assert.Equal([1, 77], input.Value.Dimensions);
        Assert.All(input.Value.SymbolicDimensions, d => Assert.Equal("", d));

        var output = Assert.Single(fixture.ImmichTextual.OutputMetadata);
        Assert.Equal("embedding", output.Key);
        Assert.Equal(TensorElementType.Float, output.Value.ElementDataType);
        Assert.Equal([1, 512], output.Value.Dimensions);
        Assert.All(output.Value.SymbolicDimensions, d => Assert.Equal("", d));
    }

    [Fact]
    public void PaddingAfterEosDoesNotChangeTextEmbeds()
    {
        var alone = fixture.XenovaTexts(Cat)[0];

        foreach (var length in new[] { 8, 20, 77 })
        {
            var padded = fixture.XenovaTexts(ClipStandInFixture.PadTo(Cat, length))[0];
            Assert.True(Vectors.MaxAbsDiff(alone, padded) <= 1e-5, $"padded to {length}: max diff {Vectors.MaxAbsDiff(alone, padded)}");
        }

        // OpenAI's clip.tokenize pads with 0 instead.
        var zeros = fixture.XenovaTexts(ClipStandInFixture.PadTo(Cat, 77, pad: 0))[0];
        Assert.True(Vectors.MaxAbsDiff(alone, zeros) <= 1e-5);
    }

    [Fact]
    public void TokensAfterEosDoNotChangeTextEmbeds()
    {
        var alone = fixture.XenovaTexts(Cat)[0];
        long[] followed = [.. Cat, 320, 1929, 49406, 12, 49407, 7, 49000];

        var result = fixture.XenovaTexts(followed)[0];

        Assert.True(Vectors.MaxAbsDiff(alone, result) <= 1e-5, $"max diff {Vectors.MaxAbsDiff(alone, result)}");
    }

    [Fact]
    public void ChangingATokenBeforeEosChangesTextEmbeds()
    {
        var cat = fixture.XenovaTexts(Cat)[0];
        var dog = fixture.XenovaTexts(ClipStandInFixture.PhotoOfADog)[0];
        long[] firstWordChanged = [.. Cat];
        firstWordChanged[1] = 736; // "red"
        var red = fixture.XenovaTexts(firstWordChanged)[0];

        Assert.True(Vectors.Cosine(cat, dog) < 0.99, $"cat vs dog: cosine {Vectors.Cosine(cat, dog)}");
        Assert.True(Vectors.Cosine(cat, red) < 0.99, $"first token changed: cosine {Vectors.Cosine(cat, red)}");
    }

    [Fact]
    public void DifferentTextsGiveClearlyDifferentEmbeddings()
    {
        var rows = fixture.XenovaTexts(Cat, ClipStandInFixture.PhotoOfADog, ClipStandInFixture.Surfer, [ClipStandInFixture.Bos, Eos]);
        TestContext.Current.TestOutputHelper?.WriteLine("Text cosines (cat, dog, surfer, empty): " + Cosines(rows));

        for (var i = 0; i < rows.Length; i++)
        {
            Assert.All(rows[i], v => Assert.True(float.IsFinite(v)));
            for (var j = i + 1; j < rows.Length; j++)
            {
                Assert.True(Vectors.Cosine(rows[i], rows[j]) < 0.99, $"texts {i} and {j}: cosine {Vectors.Cosine(rows[i], rows[j])}");
            }
        }
    }

    [Fact]
    public void DifferentImagesGiveClearlyDifferentEmbeddings()
    {
        var rows = fixture.XenovaImages(Images.Batch(Images.Noise(1), Images.Noise(2), Images.Solid(0.9f, 0.1f, 0.1f), Images.Solid(0.1f, 0.2f, 0.9f)));
        TestContext.Current.TestOutputHelper?.WriteLine("Image cosines (noise 1, noise 2, red, blue): " + Cosines(rows));

        for (var i = 0; i < rows.Length; i++)
        {
            Assert.All(rows[i], v => Assert.True(float.IsFinite(v)));
            for (var j = i + 1; j < rows.Length; j++)
            {
                Assert.True(Vectors.Cosine(rows[i], rows[j]) < 0.99, $"images {i} and {j}: cosine {Vectors.Cosine(rows[i], rows[j])}");
            }
        }

        Assert.True(Vectors.Cosine(rows[2], rows[3]) < 0.9, $"red and blue: cosine {Vectors.Cosine(rows[2], rows[3])}");
    }

    [Fact]
    public void XenovaVisionRowDoesNotDependOnBatchNeighbours()
    {
        float[][] images = [Images.Noise(5), Images.Noise(42), Images.Solid(0.5f, 0.5f, 0.5f)];

        var batched = fixture.XenovaImages(Images.Batch(images));

        for (var i = 0; i < images.Length; i++)
        {
            var alone = fixture.XenovaImages(images[i])[0];
            Assert.True(Vectors.MaxAbsDiff(alone, batched[i]) <= 1e-4, $"image {i}: max diff {Vectors.MaxAbsDiff(alone, batched[i])}");
        }
    }

    [Fact]
    public void XenovaTextRowDoesNotDependOnBatchNeighbours()
    {
        long[][] texts = [ClipStandInFixture.Surfer, Cat, [ClipStandInFixture.Bos, 1929, Eos]];

        var batched = fixture.XenovaTexts(texts);

        for (var i = 0; i < texts.Length; i++)
        {
            var alone = fixture.XenovaTexts(texts[i])[0];
            Assert.True(Vectors.MaxAbsDiff(alone, batched[i]) <= 1e-4, $"text {i}: max diff {Vectors.MaxAbsDiff(alone, batched[i])}");
        }
    }

    [Fact]
    public void NormalisedXenovaImageEmbedsEqualImmichEmbedding()
    {
        var pixels = Images.Batch(Images.Noise(11), Images.Solid(0.2f, 0.7f, 0.3f));

        var xenova = fixture.XenovaImages(pixels);
        var immich = fixture.ImmichImages(pixels);

        for (var i = 0; i < xenova.Length; i++)
        {
            Assert.Equal(1.0, Vectors.Norm(immich[i]), 1e-5);
            var normalised = ClipStandInFixture.Normalised(xenova[i]);
            Assert.True(Vectors.MaxAbsDiff(normalised, immich[i]) <= 1e-5, $"image {i}: max diff {Vectors.MaxAbsDiff(normalised, immich[i])}");
        }
    }

    [Fact]
    public void NormalisedXenovaTextEmbedsEqualImmichEmbedding()
    {
        foreach (var text in new[] { Cat, ClipStandInFixture.Surfer })
        {
            var immich = fixture.ImmichText(text);
            Assert.Equal(1.0, Vectors.Norm(immich), 1e-5);

            // The same 77-token int64 row in the Xenova graph, and the unpadded row (as transformers.js sends one text).
            var padded = ClipStandInFixture.Normalised(fixture.XenovaTexts(ClipStandInFixture.PadTo(text, 77))[0]);
            var unpadded = ClipStandInFixture.Normalised(fixture.XenovaTexts(text)[0]);
            Assert.True(Vectors.MaxAbsDiff(padded, immich) <= 1e-5, $"max diff {Vectors.MaxAbsDiff(padded, immich)}");
            Assert.True(Vectors.MaxAbsDiff(unpadded, immich) <= 1e-5, $"max diff {Vectors.MaxAbsDiff(unpadded, immich)}");
        }
    }

    [Fact]
    public void XenovaEmbedsAreProjectedButNotNormalised()
    {
        var image = fixture.XenovaImages(Images.Noise(9))[0];
        var text = fixture.XenovaTexts(Cat)[0];

        Assert.True(Math.Abs(Vectors.Norm(image) - 1) > 0.1, "image_embeds must not be L2-normalised, as in the Xenova export");
        Assert.True(Math.Abs(Vectors.Norm(text) - 1) > 0.1, "text_embeds must not be L2-normalised, as in the Xenova export");
    }

    [Fact]
    public void FullContextOf77TokensIsAccepted()
    {
        long[] longest = [ClipStandInFixture.Bos, .. Enumerable.Range(0, 75).Select(i => 320L + i), Eos];

        var rows = fixture.XenovaTexts(longest, Cat);

        Assert.All(rows[0], v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void OnnxMetadataMarksEveryGraphAsAStandIn()
    {
        foreach (var (session, modelId) in new[]
                 {
                     (fixture.XenovaVision, ClipStandInOptions.XenovaModelId), (fixture.XenovaText, ClipStandInOptions.XenovaModelId),
                     (fixture.ImmichVisual, ClipStandInOptions.ImmichModelId), (fixture.ImmichTextual, ClipStandInOptions.ImmichModelId),
                 })
        {
            var metadata = session.ModelMetadata;
            Assert.Equal(StandInMarker.GeneratorName, metadata.ProducerName);
            Assert.Equal("true", metadata.CustomMetadataMap["stand_in"]);
            Assert.Equal(modelId, metadata.CustomMetadataMap["stand_in.model_id"]);
            Assert.Equal("tiny", metadata.CustomMetadataMap["stand_in.size"]);
        }
    }

    private static string Cosines(float[][] rows) => string.Join(", ",
        from i in Enumerable.Range(0, rows.Length)
        from j in Enumerable.Range(i + 1, rows.Length - i - 1)
        select string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{i}-{j} {Vectors.Cosine(rows[i], rows[j]):F3}"));

    [Fact]
    public void TextModelRejectsSequencesLongerThanThePositionTable()
    {
        long[] tooLong = [ClipStandInFixture.Bos, .. Enumerable.Repeat(320L, 77), Eos];

        Assert.ThrowsAny<OnnxRuntimeException>(() => fixture.XenovaTexts(tooLong));
    }
}
