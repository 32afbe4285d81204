using Pipeline.Inference.Captioning;
using Pipeline.Inference.Generation;
using Pipeline.Inference.Runtime;

namespace Pipeline.Tests.Unit.Captioning;

/// <summary>The captioner on generated models in the real vision-encoder-decoder layouts.</summary>
public sealed class CaptionerTests(CaptionerFixture models) : IClassFixture<CaptionerFixture>
{
    [Fact]
    public void LoadsTheLayoutWithItsOwnSettingsAndMarksItselfStandIn()
    {
        var captioner = models.VitGpt2;

        Assert.Equal("stand-in/vit-gpt2-image-captioning", captioner.Identity.ModelId);
        Assert.True(captioner.Identity.IsStandIn);
        Assert.Equal((224, 224, (int?)null), (captioner.Preprocessing.OutputWidth, captioner.Preprocessing.OutputHeight, captioner.Preprocessing.CropWidth));
        Assert.Equal((20, 1, 50256), (captioner.Generation.MaxLength, captioner.Generation.NumBeams, captioner.Generation.DecoderStartTokenId));
    }

    [Fact]
    public async Task GreedyCaptionsStartWithTheStartTokenAndStopAtEndOfTextOrMaxLength()
    {
        var captioner = models.VitGpt2;
        var pixels = CaptionerFixture.Pixels(3, captioner.Preprocessing.TensorLength);

        var captions = await captioner.CaptionAsync(pixels, 3, TestContext.Current.CancellationToken);

        Assert.Equal(3, captions.Count);
        Assert.All(captions, c =>
        {
            Assert.Equal(50256, c.TokenIds[0]);
            Assert.InRange(c.TokenIds.Count, 2, 20);
            Assert.True(c.TokenIds[^1] == 50256 || c.TokenIds.Count == 20);
            Assert.DoesNotContain(50256L, c.TokenIds.Skip(1).SkipLast(1));
            Assert.False(string.IsNullOrWhiteSpace(c.Text));
            Assert.Equal(c.Text.Trim(), c.Text);
        });
        Assert.True(captions.Select(c => string.Join(',', c.TokenIds)).Distinct().Count() > 1, "different images got the same caption");
    }

    [Fact]
    public async Task FiveImagesInOneBatchGetTheCaptionsTheyGetOneAtATime()
    {
        var captioner = models.VitGpt2;
        var length = captioner.Preprocessing.TensorLength;
        var pixels = CaptionerFixture.Pixels(5, length, seed: 3);
        var cancellationToken = TestContext.Current.CancellationToken;

        var batched = await captioner.CaptionAsync(pixels, 5, cancellationToken);
        for (var i = 0; i < 5; i++)
        {
            var alone = (await captioner.CaptionAsync(pixels.AsMemory(i * length, length), 1, cancellationToken))[0];
            Assert.Equal(alone.TokenIds, batched[i].TokenIds);
            Assert.Equal(alone.Text, batched[i].Text);
        }
    }

    [Fact]
    public async Task DistilvitSettingsRunBeamSearchWithoutRepeatingABigramInBatchAndAlone()
    {
        using var captioner = CaptionerFixture.Open(models.DistilvitFolder);
        Assert.Equal((2, 50, 2), (captioner.Generation.NumBeams, captioner.Generation.MaxLength, captioner.Generation.NoRepeatNgramSize));
        var length = captioner.Preprocessing.TensorLength;
        var pixels = CaptionerFixture.Pixels(3, length, seed: 5);
        var cancellationToken = TestContext.Current.CancellationToken;

        var batched = await captioner.CaptionAsync(pixels, 3, cancellationToken);

        for (var i = 0; i < 3; i++)
        {
            var tokens = batched[i].TokenIds;
            var bigrams = tokens.Zip(tokens.Skip(1), (a, b) => (a, b)).ToList();
            Assert.Equal(bigrams.Count, bigrams.Distinct().Count());
            var alone = (await captioner.CaptionAsync(pixels.AsMemory(i * length, length), 1, cancellationToken))[0];
            Assert.Equal(alone.TokenIds, tokens);
        }
    }

    [Fact]
    public async Task QuantizedFilesLoadAndCaption()
    {
        using var captioner = CaptionerFixture.Open(models.VitGpt2Folder, variant: "quantized");
        var pixels = CaptionerFixture.Pixels(2, captioner.Preprocessing.TensorLength);

        var captions = await captioner.CaptionAsync(pixels, 2, TestContext.Current.CancellationToken);

        Assert.All(captions, c => Assert.Equal(50256, c.TokenIds[0]));
    }

    [Fact]
    public void MissingDecoderIsReportedWithItsPath()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Sub("onnx"));
        foreach (var file in Directory.EnumerateFiles(models.VitGpt2Folder))
        {
            File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        }

        File.Copy(Path.Combine(models.VitGpt2Folder, "onnx", "encoder_model.onnx"), folder.Sub("onnx/encoder_model.onnx"));

        var error = Assert.Throws<ModelNotFoundException>(() => CaptionerFixture.Open(folder.Path));
        Assert.Contains("decoder_model_merged.onnx", error.Message, StringComparison.Ordinal);
    }
}
