using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference.Generation;

internal static class LastLogits
{
    /// <summary>Each row's scores at its last position, from a decoder's <c>logits</c> [rows, positions, vocabulary].</summary>
    public static float[][] Of(OrtValue logits)
    {
        var shape = logits.GetTensorTypeAndShape().Shape;
        var (rows, positions, vocabulary) = ((int)shape[0], (int)shape[1], (int)shape[2]);
        var all = logits.GetTensorDataAsSpan<float>();
        var result = new float[rows][];
        for (var r = 0; r < rows; r++)
        {
            result[r] = all.Slice(((r * positions) + positions - 1) * vocabulary, vocabulary).ToArray();
        }

        return result;
    }
}
