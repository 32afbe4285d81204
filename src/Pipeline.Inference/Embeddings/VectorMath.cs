namespace Pipeline.Inference.Embeddings;

internal static class VectorMath
{
    /// <summary>Copies the vector scaled to unit length, so cosine similarity becomes a dot product.</summary>
    public static float[] Normalize(ReadOnlySpan<float> vector)
    {
        double sum = 0;
        foreach (var v in vector)
        {
            sum += (double)v * v;
        }

        var result = vector.ToArray();
        if (sum > 0)
        {
            var inverse = (float)(1 / Math.Sqrt(sum));
            for (var i = 0; i < result.Length; i++)
            {
                result[i] *= inverse;
            }
        }

        return result;
    }
}
