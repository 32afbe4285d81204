using Microsoft.ML.OnnxRuntime;

namespace Pipeline.StandInModels.Tests;

/// <summary>One small stand-in (hidden 32) written once and loaded in ONNX Runtime for the model tests.</summary>
public sealed class ClipVisionFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public ClipVisionFixture()
    {
        Paths = ClipVisionStandIn.Write(_folder.Path, Options);
        Session = new InferenceSession(Path.Combine(_folder.Path, ClipVisionStandIn.VisionModelPath));
    }

    public static ClipVisionStandInOptions Options { get; } = new() { Hidden = 32, Seed = 7 };

    public IReadOnlyList<string> Paths { get; }

    public InferenceSession Session { get; }

    /// <summary>Runs pixel_values [batch,3,224,224] and returns image_embeds with its shape.</summary>
    public (float[] Values, long[] Shape) Embed(float[] pixels)
    {
        var batch = pixels.Length / Images.PixelsPerImage;
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, [batch, 3, 224, 224]);
        using var runOptions = new RunOptions();
        using var outputs = Session.Run(runOptions, ["pixel_values"], [input], ["image_embeds"]);
        var output = outputs[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    public void Dispose()
    {
        Session.Dispose();
        _folder.Dispose();
    }
}
