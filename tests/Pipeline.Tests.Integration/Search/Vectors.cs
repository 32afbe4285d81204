namespace Pipeline.Tests.Integration.Search;

/// <summary>Unit vectors at a chosen cosine similarity to a given one, from a seeded generator (reproducible corpora).</summary>
public static class Vectors
{
    /// <summary>A unit vector whose cosine similarity with unit vector <paramref name="target"/> is exactly <paramref name="similarity"/>.</summary>
    public static float[] Near(float[] target, double similarity, int seed)
    {
        var away = Orthogonal(target, seed);
        var along = Math.Sqrt(1 - (similarity * similarity));
        return Normalize(target.Select((t, i) => (float)((similarity * t) + (along * away[i]))).ToArray());
    }

    /// <summary>A random unit vector orthogonal to <paramref name="target"/> (cosine similarity 0).</summary>
    public static float[] Orthogonal(float[] target, int seed)
    {
        var random = Random(target.Length, seed);
        var projection = Dot(random, target);
        return Normalize(random.Select((r, i) => (float)(r - (projection * target[i]))).ToArray());
    }

    public static float[] Random(int dimensions, int seed)
    {
        var generator = new Random(seed);
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            // Box–Muller: Gaussian components make the direction uniform on the sphere.
            vector[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - generator.NextDouble())) * Math.Cos(2 * Math.PI * generator.NextDouble()));
        }

        return Normalize(vector);
    }

    public static double Dot(float[] a, float[] b) => a.Zip(b).Sum(p => (double)p.First * p.Second);

    private static float[] Normalize(float[] vector)
    {
        var norm = Math.Sqrt(Dot(vector, vector));
        return vector.Select(v => (float)(v / norm)).ToArray();
    }
}
