using System.Runtime.InteropServices;
using SkiaSharp;

namespace Pipeline.Conformance;

/// <summary>A PNG written for the conformance tests.</summary>
/// <param name="PngColorType">The IHDR colour type the file was written with (0 gray, 2 RGB, 6 RGBA).</param>
public sealed record ConformanceImage(string Name, string Path, int Width, int Height, int PngColorType)
{
    public override string ToString() => $"{Name} {Width}×{Height}";
}

/// <summary>
/// Test pictures drawn in code and saved as PNG (lossless, so both loaders decode the same bytes to the same
/// pixels). They have detail at every scale (noise, hard edges, gradients) so resampling differences show.
/// </summary>
internal static class ConformanceImages
{
    public const int PngGray = 0;
    public const int PngRgb = 2;
    public const int PngRgba = 6;

    /// <summary>Five images that are already the model's 224×224 input: no resampling on either side.</summary>
    public static IReadOnlyList<ConformanceImage> WriteExactSize(string folder) =>
    [
        Save(folder, "gradient", Rgba(224, 224, (x, y) => (x * 255 / 223, y * 255 / 223, (x + y) * 255 / 446, 255)), PngRgb),
        Save(folder, "noise", Noise(224, 224, seed: 7), PngRgb),
        Save(folder, "shapes", Shapes(224, 224, seed: 3), PngRgb),
        // Alpha from 255 down to 40: both loaders drop it without compositing (transformers.js RawImage.rgb()).
        Save(folder, "translucent", Rgba(224, 224, (x, y) => ((x * 3 + y) % 256, (y * 5) % 256, 200, 255 - (x * 215 / 223)), opaque: false), PngRgba),
        Save(folder, "gray", Gray(224, 224, seed: 11), PngGray),
    ];

    /// <summary>Other sizes: both sides resize (bicubic, shortest edge 224) and centre-crop.</summary>
    public static IReadOnlyList<ConformanceImage> WriteOtherSizes(string folder) =>
    [
        Save(folder, "landscape", PhotoLike(640, 480, seed: 5), PngRgb),
        Save(folder, "portrait", Shapes(300, 500, seed: 9), PngRgb),
        Save(folder, "panorama", PhotoLike(1000, 200, seed: 13), PngRgb),
    ];

    /// <summary>Five sizes for Florence-2 (768×768 squashed): its own size, smaller, larger, wide and tall.</summary>
    public static IReadOnlyList<ConformanceImage> WriteFlorenceSizes(string folder) =>
    [
        Save(folder, "exact", PhotoLike(768, 768, seed: 17), PngRgb),
        Save(folder, "landscape", PhotoLike(640, 480, seed: 5), PngRgb),
        Save(folder, "portrait", Shapes(300, 500, seed: 9), PngRgb),
        Save(folder, "panorama", PhotoLike(1000, 200, seed: 13), PngRgb),
        Save(folder, "small", Noise(224, 224, seed: 7), PngRgb),
    ];

    /// <summary>Reads the colour type byte of a PNG's IHDR chunk.</summary>
    public static int ReadPngColorType(string path)
    {
        Span<byte> header = stackalloc byte[26];
        using var file = File.OpenRead(path);
        file.ReadExactly(header);
        return header[25];
    }

    private static ConformanceImage Save(string folder, string name, SKBitmap bitmap, int colorType)
    {
        using (bitmap)
        {
            var path = System.IO.Path.Combine(folder, name + ".png");
            using (var image = SKImage.FromBitmap(bitmap))
            using (var data = image.Encode(SKEncodedImageFormat.Png, 100) ?? throw new InvalidOperationException("Skia cannot encode PNG."))
            using (var file = File.Create(path))
            {
                data.SaveTo(file);
            }

            return new ConformanceImage(name, path, bitmap.Width, bitmap.Height, colorType);
        }
    }

    /// <summary>Opaque images get an opaque bitmap (a canvas can draw on it); others keep unpremultiplied values.</summary>
    private static SKBitmap Rgba(int width, int height, Func<int, int, (int R, int G, int B, int A)> pixel, bool opaque = true)
    {
        var alphaType = opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul;
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, alphaType));
        var bytes = new byte[bitmap.RowBytes * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var (r, g, b, a) = pixel(x, y);
                var p = y * bitmap.RowBytes + x * 4;
                bytes[p] = (byte)r;
                bytes[p + 1] = (byte)g;
                bytes[p + 2] = (byte)b;
                bytes[p + 3] = (byte)a;
            }
        }

        Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        return bitmap;
    }

    private static SKBitmap Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        return Rgba(width, height, (_, _) => (random.Next(256), random.Next(256), random.Next(256), 255));
    }

    /// <summary>A tinted gradient with noise: smooth at large scales, grainy at small ones, like a photo.</summary>
    private static SKBitmap PhotoLike(int width, int height, int seed)
    {
        var random = new Random(seed);
        return Rgba(width, height, (x, y) =>
        {
            var shade = (x * 200 / width) + (y * 55 / height);
            return (Clamp(shade + random.Next(-30, 31)), Clamp(255 - shade + random.Next(-30, 31)), Clamp((shade / 2) + 60 + random.Next(-30, 31)), 255);
        });
    }

    private static SKBitmap Gray(int width, int height, int seed)
    {
        var random = new Random(seed);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        var bytes = new byte[bitmap.RowBytes * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bytes[(y * bitmap.RowBytes) + x] = (byte)Clamp(((x + y) * 255 / (width + height)) + random.Next(-40, 41));
            }
        }

        Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        return bitmap;
    }

    /// <summary>Anti-aliased circles and rectangles in random colours on a gradient: hard edges at every angle.</summary>
    private static SKBitmap Shapes(int width, int height, int seed)
    {
        var random = new Random(seed);
        var bitmap = Rgba(width, height, (x, y) => (40 + (x * 150 / width), 60, 40 + (y * 150 / height), 255));
        using var canvas = new SKCanvas(bitmap);
        using var paint = new SKPaint { IsAntialias = true };
        for (var i = 0; i < 12; i++)
        {
            paint.Color = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            var x = random.Next(width);
            var y = random.Next(height);
            var size = 8 + random.Next(Math.Min(width, height) / 3);
            if (i % 2 == 0)
            {
                canvas.DrawCircle(x, y, size / 2f, paint);
            }
            else
            {
                canvas.Save();
                canvas.RotateDegrees(random.Next(90), x, y);
                canvas.DrawRect(x, y, size, size * 0.6f, paint);
                canvas.Restore();
            }
        }

        canvas.Flush();
        return bitmap;
    }

    private static int Clamp(int value) => Math.Clamp(value, 0, 255);
}
