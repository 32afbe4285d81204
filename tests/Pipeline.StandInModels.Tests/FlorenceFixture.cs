using Microsoft.ML.OnnxRuntime;
using Pipeline.StandInModels.Florence;

namespace Pipeline.StandInModels.Tests;

/// <summary>A tiny stand-in Florence-2 (with the quantized graphs) written once, its eight graphs open in ONNX Runtime.</summary>
public sealed class FlorenceFixture : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Dictionary<string, InferenceSession> _sessions = new(StringComparer.Ordinal);

    public FlorenceFixture()
    {
        Folder = _folder.Sub("florence");
        Paths = FlorenceStandIn.Write(Folder, Options);
        foreach (var path in Graphs.SelectMany(g => new[] { g, FlorenceStandIn.QuantizedPath(g) }))
        {
            _sessions[path] = new InferenceSession(Path.Combine(Folder, path));
        }
    }

    public static FlorenceStandInOptions Options { get; } = new() { Size = FlorenceSize.Tiny, Seed = 3, Quantized = true };

    public static FlorenceDimensions Dims { get; } = FlorenceDimensions.For(FlorenceSize.Tiny);

    /// <summary>The four float32 graphs, in the order transformers.js runs them.</summary>
    public static IReadOnlyList<string> Graphs { get; } =
        [FlorenceStandIn.VisionEncoderPath, FlorenceStandIn.EmbedTokensPath, FlorenceStandIn.EncoderPath, FlorenceStandIn.DecoderPath];

    public string Folder { get; }

    public IReadOnlyList<string> Paths { get; }

    public InferenceSession Session(string relativePath, bool quantized = false) =>
        _sessions[quantized ? FlorenceStandIn.QuantizedPath(relativePath) : relativePath];

    internal FlorenceRunner Runner(bool quantized = false) => new(
        Session(FlorenceStandIn.VisionEncoderPath, quantized), Session(FlorenceStandIn.EmbedTokensPath, quantized),
        Session(FlorenceStandIn.EncoderPath, quantized), Session(FlorenceStandIn.DecoderPath, quantized), Dims);

    public void Dispose()
    {
        foreach (var session in _sessions.Values)
        {
            session.Dispose();
        }

        _folder.Dispose();
    }
}
