using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Imaging;
using Pipeline.Imaging.Tensors;
using Pipeline.Inference.Captioning;
using Pipeline.Inference.Composition;
using Pipeline.Inference.Runtime;
using Pipeline.Storage.Entities;
using Pipeline.Tests.Integration.Infrastructure;

namespace Pipeline.Tests.Integration;

/// <summary>With a captioner configured, every described image gets a caption and alt-text beside its embedding.</summary>
public sealed class CaptioningEndToEndTests(PipelineServices services)
{
    [Fact]
    public async Task TwelveImagesGetCaptionsAltTextAndEmbeddingsFromTheStandInsInPostgres()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await PipelineRun.StartAsync(services, 5, cancellationToken, new Dictionary<string, string?>
        {
            ["Models:Captioner:Path"] = services.StandInCaptionerFolder,
            ["Models:Captioner:Variant"] = "fp32",
        });
        var messages = await run.UploadTwelveAsync(cancellationToken);

        await run.Results.SendAsync(run.Worker.QueueName, messages, cancellationToken);
        await run.Results.WaitForAsync(run.ImageIds, 1, TimeSpan.FromSeconds(120), cancellationToken);

        var rows = await StoredRows.ReadAsync(run.Database, cancellationToken);
        var described = rows.Where(r => r.Status == ImageStatus.Described).ToList();
        Assert.Equal(11, described.Count);
        Assert.All(described, row =>
        {
            Assert.Equal(512, row.EmbeddingDimensions);
            Assert.Equal("stand-in/vit-gpt2-image-captioning", row.CaptionModelId);
            Assert.False(string.IsNullOrWhiteSpace(row.Caption));
            Assert.Equal(AltText.FromCaption(row.Caption), row.AltText);
            Assert.True(row.StandInModels);
        });
        Assert.Null(Assert.Single(rows, r => r.Status == ImageStatus.Failed).Caption);

        // Captions made in batches by the worker equal the captioner's own, one image at a time.
        using var captioner = new VisionEncoderDecoderCaptioner(
            new CaptionerOptions { Path = services.StandInCaptionerFolder, Variant = "fp32" },
            new OnnxSessionFactory(Options.Create(new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Cpu }), NullLogger<OnnxSessionFactory>.Instance));
        var decoder = new ImageDecoder(Options.Create(new ImagingOptions()));
        foreach (var row in described)
        {
            using var image = decoder.Decode(run.Uploaded[row.Id], TestContext.Current.CancellationToken);
            var pixels = new float[captioner.Preprocessing.TensorLength];
            TensorWriter.Write(image.Bitmap, captioner.Preprocessing, pixels);
            var alone = (await captioner.CaptionAsync(pixels, 1, cancellationToken))[0];
            Assert.Equal(alone.Text, row.Caption);
        }

        Assert.All(run.Results.Described, d =>
        {
            Assert.Equal("stand-in/vit-gpt2-image-captioning", d.CaptionModelId);
            Assert.NotNull(d.AltText);
            Assert.True(d.TimingsMs.ContainsKey(StageNames.Caption));
        });
        Assert.True(described.Select(r => r.Caption).Distinct().Count() > 1, "every image got the same caption");
    }
}
