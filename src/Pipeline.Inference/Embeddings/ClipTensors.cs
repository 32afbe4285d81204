using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Embeddings;

/// <summary>Tensor lookups shared by the CLIP towers: by name, with errors that say what the export does have.</summary>
internal static class ClipTensors
{
    public static string RequireInput(InferenceSession session, string name, string layout) =>
        session.InputMetadata.ContainsKey(name)
            ? name
            : throw new ModelNotFoundException(
                $"The CLIP model has no input '{name}' (it has: {string.Join(", ", session.InputMetadata.Keys)}); expected the {layout} layout.");

    /// <summary>The named output, or the first one where exporters disagree on the name (Immich: embedding / image_embedding).</summary>
    public static string RequireOutput(InferenceSession session, string? name, string layout)
    {
        if (name is null)
        {
            return session.OutputNames[0];
        }

        return session.OutputMetadata.ContainsKey(name)
            ? name
            : throw new ModelNotFoundException(
                $"The CLIP model has no output '{name}' (it has: {string.Join(", ", session.OutputMetadata.Keys)}); expected the {layout} layout.");
    }

    public static int EmbeddingSize(InferenceSession session, string output)
    {
        var size = session.OutputMetadata[output].Dimensions[^1];
        return size > 0 ? size : throw new ModelNotFoundException($"'{output}' of the CLIP model has no fixed embedding size.");
    }

    public static float[][] NormalizedRows(OrtValue output, int count, int dimensions)
    {
        var values = output.GetTensorDataAsSpan<float>();
        var rows = new float[count][];
        for (var i = 0; i < count; i++)
        {
            rows[i] = VectorMath.Normalize(values.Slice(i * dimensions, dimensions));
        }

        return rows;
    }
}
