using System.Globalization;
using SkiaSharp;

namespace Pipeline.Benchmarks.Memory;

/// <summary>
/// Photo-sized JPEGs as cameras and phones send them: 1 to 12 megapixels in landscape and portrait shapes, a gradient,
/// soft shapes, a few lines of text (so that the OCR recogniser has lines to read) and sensor-like grain, at quality
/// 85: 0.2 MB at 1 megapixel to 2.6 MB at 12, every one under the worker's inline limit (<c>Sources:MaxInlineBytes</c>,
/// 4 MiB). Written once under <c>.local/bench-photos-*</c> and reused.
/// </summary>
internal static class BenchPhotos
{
    /// <summary>Bumped whenever the drawing changes, so that older pictures are not reused.</summary>
    private const string Version = "v3";

    private const int InlineLimit = 4 * 1024 * 1024;

    private static readonly double[] Megapixels = [1, 2, 3, 5, 8, 12];

    /// <summary>Width ÷ height: 4:3, 3:2 and 16:9 landscape, 3:4 portrait.</summary>
    private static readonly double[] Shapes = [4 / 3.0, 3 / 2.0, 16 / 9.0, 3 / 4.0];

    private static readonly string[] Words =
    [
        "harbour", "market", "closed", "sunday", "entrance", "platform", "tickets", "coffee", "bakery", "exit",
        "north", "street", "garden", "museum", "open", "daily", "station", "parking", "hotel", "river",
    ];

    /// <summary>The pictures' bytes, each size and shape once; 24 distinct pictures.</summary>
    public static IReadOnlyList<byte[]> Load(string repositoryRoot)
    {
        var folder = Path.Combine(repositoryRoot, ".local", "bench-photos-" + Version);
        Directory.CreateDirectory(folder);
        var photos = new List<byte[]>();
        for (var i = 0; i < Megapixels.Length * Shapes.Length; i++)
        {
            var megapixels = Megapixels[i % Megapixels.Length];
            var shape = Shapes[i / Megapixels.Length];
            var width = (int)Math.Round(Math.Sqrt(megapixels * 1_000_000 * shape));
            var height = (int)Math.Round(megapixels * 1_000_000 / width);
            var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"photo-{i:D2}-{width}x{height}.jpg"));
            if (!File.Exists(path))
            {
                var bytes = Draw(width, height, seed: 2000 + i);
                if (bytes.Length > InlineLimit)
                {
                    throw new BenchmarkException($"{path}: {bytes.Length:N0} bytes is over the inline limit; draw less grain.");
                }

                File.WriteAllBytes(path + ".tmp", bytes);
                File.Move(path + ".tmp", path, overwrite: true);
            }

            photos.Add(File.ReadAllBytes(path));
        }

        return photos;
    }

    private static byte[] Draw(int width, int height, int seed)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            using var sky = new SKPaint();
            sky.Shader = SKShader.CreateLinearGradient(
                new SKPoint(random.Next(width), 0), new SKPoint(random.Next(width), height), [Color(random), Color(random)], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, width, height, sky);

            using var shape = new SKPaint { IsAntialias = true };
            for (var i = 0; i < 8 + random.Next(8); i++)
            {
                shape.Color = Color(random).WithAlpha((byte)random.Next(120, 256));
                var (x, y) = (random.Next(width), random.Next(height));
                var (w, h) = (random.Next(width / 20, width / 3), random.Next(height / 20, height / 3));
                canvas.DrawOval(x, y, w / 2f, h / 2f, shape);
            }

            DrawSign(canvas, random, width, height);
        }

        AddGrain(bitmap, random);
        using var image = SKImage.FromBitmap(bitmap);
        using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 85) ?? throw new BenchmarkException("SkiaSharp cannot encode JPEG.");
        return jpeg.ToArray();
    }

    /// <summary>A light panel with three lines of dark words, as on a shop sign or a notice.</summary>
    private static void DrawSign(SKCanvas canvas, Random random, int width, int height)
    {
        var size = Math.Max(16, height / 18f);
        using var font = new SKFont(SKTypeface.Default, size);
        using var ink = new SKPaint { IsAntialias = true, Color = new SKColor(20, 20, 30) };
        using var panel = new SKPaint { Color = new SKColor(235, 232, 220) };
        var (left, top) = (width * (0.1f + (0.3f * (float)random.NextDouble())), height * (0.1f + (0.4f * (float)random.NextDouble())));
        canvas.DrawRect(left - size, top - (size * 1.5f), size * 14, size * 5, panel);
        for (var line = 0; line < 3; line++)
        {
            var text = string.Join(' ', Enumerable.Range(0, 2 + random.Next(2)).Select(_ => Words[random.Next(Words.Length)]));
            canvas.DrawText(text, left, top + (line * size * 1.4f), font, ink);
        }
    }

    private static void AddGrain(SKBitmap bitmap, Random random)
    {
        var pixels = bitmap.GetPixelSpan();
        for (var i = 0; i < pixels.Length; i += 4)
        {
            var grain = random.Next(-12, 13);
            for (var c = 0; c < 3; c++)
            {
                pixels[i + c] = (byte)Math.Clamp(pixels[i + c] + grain + random.Next(-6, 7), 0, 255);
            }
        }
    }

    private static SKColor Color(Random random) => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
}
