using Microsoft.Extensions.Options;
using Pipeline.Imaging;
using Pipeline.Imaging.Tensors;
using Pipeline.Inference.Captioning;
using Pipeline.StandInModels.Captioner;

namespace Pipeline.Conformance;

/// <summary>
/// A stand-in captioner in the vit-gpt2 layout through transformers.js (AutoProcessor + AutoModelForVision2Seq,
/// greedy <c>generate()</c>) and through ours (one batch of five, KV-cache decoding): the same token ids and texts.
/// </summary>
public sealed class CaptionConformanceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task GreedyTokenIdsOfFiveImagesEqualTransformersJs()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var model = _folder.Sub("captioner");
        CaptionerStandIn.Write(model, new CaptionerStandInOptions { Layout = CaptionerLayout.VitGpt2, Quantized = false });
        var images = ConformanceImages.WriteExactSize(Directory.CreateDirectory(_folder.Sub("images")).FullName);
        Assert.Equal(5, images.Count);

        var reference = TransformersJs.Default.CaptionAsync(
            new CaptionRequest { Model = model, Images = [.. images.Select(i => i.Path)] }, cancellationToken);

        using var captioner = new VisionEncoderDecoderCaptioner(new CaptionerOptions { Path = model, Variant = "fp32" }, ClipConformanceFixture.CpuSessions());
        var decoder = new ImageDecoder(Options.Create(new ImagingOptions()));
        var length = captioner.Preprocessing.TensorLength;
        var pixels = new float[images.Count * length];
        for (var i = 0; i < images.Count; i++)
        {
            using var decoded = decoder.Decode(await File.ReadAllBytesAsync(images[i].Path, cancellationToken), TestContext.Current.CancellationToken);
            TensorWriter.Write(decoded.Bitmap, captioner.Preprocessing, pixels.AsSpan(i * length, length));
        }

        var ours = await captioner.CaptionAsync(pixels, images.Count, cancellationToken);
        var theirs = await reference;

        for (var i = 0; i < images.Count; i++)
        {
            ClipImageConformanceTests.Report($"{images[i].Name}: {ours[i].TokenIds.Count} tokens, '{ours[i].Text}'");
            Assert.Equal(theirs.TokenIds[i], ours[i].TokenIds);
            Assert.Equal(theirs.Texts[i], ours[i].Text);
        }

        Assert.True(ours.Select(c => string.Join(',', c.TokenIds)).Distinct().Count() > 1, "all five images got the same caption");
    }

    public void Dispose() => _folder.Dispose();
}
