using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Florence;

/// <summary>
/// The four graphs of an onnx-community Florence-2 export, opened by path (large exports keep their weights in
/// external-data files beside them). File names follow transformers.js' dtype suffixes: <c>vision_encoder.onnx</c> for
/// fp32, <c>vision_encoder_quantized.onnx</c> for q8, and so on.
/// </summary>
internal sealed class FlorenceSessions : IDisposable
{
    private static readonly Dictionary<string, string> Suffixes = new(StringComparer.Ordinal)
    {
        ["fp32"] = "",
        ["quantized"] = "_quantized",
        ["int8"] = "_int8",
        ["uint8"] = "_uint8",
        ["q4"] = "_q4",
        ["bnb4"] = "_bnb4",
    };

    private readonly List<InferenceSession> _opened = [];

    public FlorenceSessions(string folder, string variant, OnnxSessionFactory sessions)
    {
        if (!Suffixes.TryGetValue(variant, out var suffix))
        {
            throw new ModelNotFoundException($"Florence-2 variant '{variant}' is not one of {string.Join(", ", Suffixes.Keys)}.");
        }

        try
        {
            Vision = Open(sessions, folder, "vision_encoder", suffix);
            EmbedTokens = Open(sessions, folder, "embed_tokens", suffix);
            Encoder = Open(sessions, folder, "encoder_model", suffix);
            Decoder = Open(sessions, folder, "decoder_model_merged", suffix);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public InferenceSession Vision { get; }

    public InferenceSession EmbedTokens { get; }

    public InferenceSession Encoder { get; }

    public InferenceSession Decoder { get; }

    public void Dispose() => _opened.ForEach(session => session.Dispose());

    private InferenceSession Open(OnnxSessionFactory sessions, string folder, string graph, string suffix)
    {
        var path = Path.Combine(folder, "onnx", $"{graph}{suffix}.onnx");
        if (!File.Exists(path))
        {
            throw new ModelNotFoundException($"The Florence-2 folder {folder} has no onnx/{graph}{suffix}.onnx (Models:Florence:Variant picks the suffix).");
        }

        var session = sessions.Open(path, $"Florence-2 {graph}");
        _opened.Add(session);
        return session;
    }
}
