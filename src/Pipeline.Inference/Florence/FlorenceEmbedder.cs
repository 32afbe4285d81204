using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Florence;

/// <summary><c>embed_tokens.onnx</c>: token ids to the embeddings the encoder (prompts) and the decoder (each step) take.</summary>
internal sealed class FlorenceEmbedder
{
    private const string InputIds = "input_ids";
    private const string InputsEmbeds = "inputs_embeds";

    private readonly InferenceSession _session;

    public FlorenceEmbedder(InferenceSession session)
    {
        if (!session.InputMetadata.ContainsKey(InputIds) || !session.OutputMetadata.ContainsKey(InputsEmbeds))
        {
            throw new ModelNotFoundException(
                $"embed_tokens needs '{InputIds}' → '{InputsEmbeds}' (it has {string.Join(", ", session.InputMetadata.Keys)} → {string.Join(", ", session.OutputMetadata.Keys)}).");
        }

        _session = session;
    }

    /// <param name="ids"><paramref name="rows"/> × <paramref name="length"/> ids, row by row.</param>
    /// <returns>[rows, length, hidden] float32; the caller disposes it.</returns>
    public OrtValue Embed(long[] ids, int rows, int length, RunOptions runOptions)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(ids, [rows, length]);
        using var outputs = _session.Run(runOptions, [InputIds], [input], [InputsEmbeds]);
        var data = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        return OrtValue.CreateTensorValueFromMemory(data, [rows, length, data.Length / (rows * length)]);
    }
}
