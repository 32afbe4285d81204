using Pipeline.Inference.Captioning;
using Pipeline.StandInModels.Captioner;
using Pipeline.Tests.Unit.Embeddings;

namespace Pipeline.Tests.Unit.Captioning;

/// <summary>Tiny stand-in captioners in both real layouts (vit-gpt2: greedy; distilvit: beams and penalties).</summary>
public sealed class CaptionerFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public CaptionerFixture()
    {
        CaptionerStandIn.Write(VitGpt2Folder, new CaptionerStandInOptions { Layout = CaptionerLayout.VitGpt2 });
        CaptionerStandIn.Write(DistilvitFolder, new CaptionerStandInOptions { Layout = CaptionerLayout.Distilvit });
        VitGpt2 = Open(VitGpt2Folder);
    }

    public string VitGpt2Folder => _folder.Sub("vit-gpt2");

    public string DistilvitFolder => _folder.Sub("distilvit");

    public VisionEncoderDecoderCaptioner VitGpt2 { get; }

    public static VisionEncoderDecoderCaptioner Open(string folder, string variant = "fp32", int? numBeams = null, int? maxLength = null) =>
        new(new CaptionerOptions { Path = folder, Variant = variant, NumBeams = numBeams, MaxLength = maxLength }, StandInEmbedderFixture.CpuSessions());

    /// <summary>Distinct pseudo-random images in the captioner's input layout, back to back.</summary>
    public static float[] Pixels(int count, int tensorLength, int seed = 11)
    {
        var random = new Random(seed);
        var pixels = new float[count * tensorLength];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return pixels;
    }

    public void Dispose()
    {
        VitGpt2.Dispose();
        _folder.Dispose();
    }
}
