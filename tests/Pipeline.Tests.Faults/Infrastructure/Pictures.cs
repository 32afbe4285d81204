using SkiaSharp;

namespace Pipeline.Tests.Faults.Infrastructure;

/// <summary>Small pictures made in code, each with its own colours (a gradient and a disc).</summary>
internal static class Pictures
{
    public static byte[] Encode(int width, int height, int seed, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var shader = SKShader.CreateLinearGradient(
                new SKPoint(0, 0), new SKPoint(width, height), [RandomColor(random), RandomColor(random)], SKShaderTileMode.Clamp);
            using var paint = new SKPaint { Shader = shader };
            canvas.DrawRect(0, 0, width, height, paint);
            using var disc = new SKPaint { Color = RandomColor(random), IsAntialias = true };
            canvas.DrawCircle(width * (float)random.NextDouble(), height * (float)random.NextDouble(), Math.Min(width, height) / 4f, disc);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }

    /// <summary>Distinct small PNGs to announce many times over.</summary>
    public static List<byte[]> Distinct(int count, int width, int height) =>
        Enumerable.Range(0, count).Select(seed => Encode(width, height, seed)).ToList();

    private static SKColor RandomColor(Random random) => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
}
