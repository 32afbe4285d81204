using Microsoft.ML.OnnxRuntime;
using Pipeline.StandInModels.Captioner;

namespace Pipeline.StandInModels.Tests;

/// <summary>A tiny vit-gpt2 stand-in captioner written once, with its four graphs open in ONNX Runtime.</summary>
public sealed class CaptionerFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public CaptionerFixture()
    {
        Folder = _folder.Sub("captioner");
        Paths = CaptionerStandIn.Write(Folder, Options);
        Encoder = new InferenceSession(Path.Combine(Folder, CaptionerStandIn.EncoderPath));
        Decoder = new InferenceSession(Path.Combine(Folder, CaptionerStandIn.DecoderPath));
        EncoderQuantized = new InferenceSession(Path.Combine(Folder, CaptionerStandIn.EncoderQuantizedPath));
        DecoderQuantized = new InferenceSession(Path.Combine(Folder, CaptionerStandIn.DecoderQuantizedPath));
    }

    public static CaptionerStandInOptions Options { get; } = new() { Layout = CaptionerLayout.VitGpt2, Size = CaptionerSize.Tiny, Seed = 3 };

    public static CaptionerDimensions Dims { get; } = CaptionerDimensions.For(CaptionerLayout.VitGpt2, CaptionerSize.Tiny);

    public string Folder { get; }

    public IReadOnlyList<string> Paths { get; }

    public InferenceSession Encoder { get; }

    public InferenceSession Decoder { get; }

    public InferenceSession EncoderQuantized { get; }

    public InferenceSession DecoderQuantized { get; }

    internal CaptionerRunner Runner => new(Encoder, Decoder, Dims);

    internal CaptionerRunner QuantizedRunner => new(EncoderQuantized, DecoderQuantized, Dims);

    public void Dispose()
    {
        Encoder.Dispose();
        Decoder.Dispose();
        EncoderQuantized.Dispose();
        DecoderQuantized.Dispose();
        _folder.Dispose();
    }
}
