namespace Pipeline.StandInModels.Tests;

/// <summary>CLIP-normalised CHW pixel batches for feeding vision_model.onnx.</summary>
internal static class Images
{
    public const int PixelsPerImage = 3 * 224 * 224;

    private static readonly float[] Mean = [0.48145466f, 0.4578275f, 0.40821073f];
    private static readonly float[] Std = [0.26862954f, 0.26130258f, 0.27577711f];

    public static float[] Noise(int seed)
    {
        var random = new Random(seed);
        return Normalised((_, _, _) => (float)random.NextDouble());
    }

    public static float[] Solid(float r, float g, float b)
    {
        float[] rgb = [r, g, b];
        return Normalised((c, _, _) => rgb[c]);
    }

    public static float[] Batch(params float[][] images) => images.SelectMany(i => i).ToArray();

    private static float[] Normalised(Func<int, int, int, float> rgb01)
    {
        var pixels = new float[PixelsPerImage];
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < 224; y++)
            {
                for (var x = 0; x < 224; x++)
                {
                    pixels[(((c * 224) + y) * 224) + x] = (rgb01(c, y, x) - Mean[c]) / Std[c];
                }
            }
        }

        return pixels;
    }
}
