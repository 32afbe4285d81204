using Pipeline.Testing;
using SkiaSharp;

namespace Pipeline.Benchmarks;

/// <summary>
/// A mixed set of pictures for OCR, as people upload them: the sample photos (deploy/local/samples.sh), signs and
/// labels alone (the OCR tests' <see cref="GeneratedText"/>: many sizes and aspect ratios) and photo-like pictures —
/// a gradient, soft shapes and grain, at camera, screen and cropped aspect ratios — each with a sign in it at some
/// size. Seeded and shuffled, so every run reads the same pictures in the same micro-batches.
/// </summary>
internal static class OcrPictures
{
    private static readonly double[] CameraAspects = [4.0 / 3, 3.0 / 2, 16.0 / 9, 1, 3.0 / 4, 2.0 / 3, 9.0 / 16, 21.0 / 9];

    /// <returns><paramref name="count"/> pictures, with the lines drawn in each (null for the sample photos).</returns>
    public static List<(SKBitmap Image, IReadOnlyList<string>? Lines)> Create(string sampleFolder, int count)
    {
        var random = new Random(100);
        var pictures = new List<(SKBitmap, IReadOnlyList<string>?)>();
        pictures.AddRange(Directory.EnumerateFiles(sampleFolder).Order(StringComparer.Ordinal)
            .Select(SKBitmap.Decode).OfType<SKBitmap>().Take(count).Select(b => (b, (IReadOnlyList<string>?)null)));
        var signs = GeneratedText.Create(count - pictures.Count, seed: 101);
        for (var i = 0; i < signs.Count; i++)
        {
            if (i % 2 == 0)
            {
                pictures.Add((signs[i].Image, signs[i].Lines));
                continue;
            }

            pictures.Add((PhotoWith(signs[i].Image, random), signs[i].Lines));
            signs[i].Dispose();
        }

        return [.. pictures.OrderBy(_ => random.Next())];
    }

    /// <summary>A photo-like picture, 600–2000 pixels on its longer side, with <paramref name="sign"/> drawn on it.</summary>
    private static SKBitmap PhotoWith(SKBitmap sign, Random random)
    {
        // Two in three at a camera's or screen's aspect ratio, the rest cropped to any between 1:2.5 and 2.5:1.
        var aspect = random.Next(3) < 2 ? CameraAspects[random.Next(CameraAspects.Length)] : Math.Pow(2.5, random.NextDouble() * 2 - 1);
        var longer = random.Next(600, 2001);
        var (width, height) = aspect >= 1 ? (longer, (int)(longer / aspect)) : ((int)(longer * aspect), longer);
        var photo = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(photo);
        using (var sky = new SKPaint())
        {
            sky.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height), [Colour(random), Colour(random)], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, width, height, sky);
        }

        using (var shape = new SKPaint { IsAntialias = true })
        {
            for (var i = 0; i < 8; i++)
            {
                shape.Color = Colour(random).WithAlpha((byte)random.Next(120, 256));
                canvas.DrawOval(random.Next(width), random.Next(height), random.Next(width / 20, width / 4), random.Next(height / 20, height / 4), shape);
            }
        }

        // The sign takes 20–70 % of the width (less where it would not fit the height), anywhere it fits.
        var scale = Math.Min(width * (0.2 + random.NextDouble() * 0.5) / sign.Width, height * 0.9 / sign.Height);
        var (signWidth, signHeight) = ((float)(sign.Width * scale), (float)(sign.Height * scale));
        var x = (float)random.NextDouble() * (width - signWidth);
        var y = (float)random.NextDouble() * (height - signHeight);
        using (var image = SKImage.FromBitmap(sign))
        {
            canvas.DrawImage(image, SKRect.Create(x, y, signWidth, signHeight), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }

        using (var grain = new SKPaint { BlendMode = SKBlendMode.Overlay })
        {
            grain.Shader = SKShader.CreatePerlinNoiseTurbulence(0.9f, 0.9f, 2, random.Next());
            canvas.DrawRect(0, 0, width, height, grain);
        }

        return photo;
    }

    private static SKColor Colour(Random random) => new((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
}
