using SkiaSharp;

namespace Pipeline.Benchmarks;

/// <summary>
/// Distinct photo-like pictures (a two-colour gradient, soft shapes, sensor-like noise), drawn at exactly 224×224 so that
/// neither side resamples them, and saved as PNG so both decoders read the same pixels.
/// </summary>
internal static class BenchImages
{
    public const int Side = 224;

    /// <param name="side">The models' own input size, so that neither side resamples (224 for CLIP and ViT, 768 for Florence-2).</param>
    public static IReadOnlyList<string> Write(string folder, int count, int side = Side)
    {
        Directory.CreateDirectory(folder);
        return Enumerable.Range(0, count).Select(i => Draw(Path.Combine(folder, $"bench-{side}-{i:D3}.png"), seed: 1000 + i, side)).ToList();
    }

    private static string Draw(string path, int seed, int side)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            using var sky = new SKPaint();
            sky.Shader = SKShader.CreateLinearGradient(
                new SKPoint(random.Next(side), 0), new SKPoint(random.Next(side), side), [Color(random), Color(random)], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, side, side, sky);

            using var shape = new SKPaint { IsAntialias = true };
            for (var i = 0; i < 6 + random.Next(6); i++)
            {
                shape.Color = Color(random).WithAlpha((byte)random.Next(120, 256));
                var (x, y, w, h) = (random.Next(side), random.Next(side), random.Next(16, 120), random.Next(16, 120));
                if (random.Next(2) == 0)
                {
                    canvas.DrawOval(x, y, w / 2f, h / 2f, shape);
                }
                else
                {
                    canvas.DrawRoundRect(x - (w / 2f), y - (h / 2f), w, h, 6, 6, shape);
                }
            }
        }

        var pixels = bitmap.GetPixelSpan();
        for (var i = 0; i < pixels.Length; i += 4)
        {
            var grain = random.Next(-14, 15);
            for (var c = 0; c < 3; c++)
            {
                pixels[i + c] = (byte)Math.Clamp(pixels[i + c] + grain + random.Next(-6, 7), 0, 255);
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100) ?? throw new BenchmarkException("SkiaSharp cannot encode PNG.");
        using var file = File.Create(path);
        data.SaveTo(file);
        return path;
    }

    private static SKColor Color(Random random) => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
}
