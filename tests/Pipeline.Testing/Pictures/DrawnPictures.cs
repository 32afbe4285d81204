using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Pipeline.Imaging;
using SkiaSharp;

namespace Pipeline.Testing;

/// <summary>Test pictures drawn in code, and encoders for the formats Skia can write.</summary>
public static class DrawnPictures
{
    public static readonly SKColor Red = new(220, 20, 30);
    public static readonly SKColor Blue = new(20, 40, 220);
    public static readonly SKColor Green = new(30, 200, 40);
    public static readonly SKColor Yellow = new(240, 230, 30);

    public static ImageDecoder Decoder(ImagingOptions? options = null) => new(Options.Create(options ?? new ImagingOptions()));

    public static SKBitmap Solid(int width, int height, SKColor color)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(color);
        return bitmap;
    }

    /// <summary>Left half <paramref name="left"/>, right half <paramref name="right"/>.</summary>
    public static SKBitmap Halves(int width, int height, SKColor left, SKColor right) => Split(width, height, width / 2, left, right);

    /// <summary>Columns left of <paramref name="splitX"/> in <paramref name="left"/>, the rest in <paramref name="right"/>.</summary>
    public static SKBitmap Split(int width, int height, int splitX, SKColor left, SKColor right) =>
        Draw(width, height, (x, _) => x < splitX ? left : right);

    /// <summary>Top-left, top-right, bottom-left, bottom-right quarters in four colours.</summary>
    public static SKBitmap Quadrants(int width, int height, SKColor topLeft, SKColor topRight, SKColor bottomLeft, SKColor bottomRight) =>
        Draw(width, height, (x, y) => (x < width / 2, y < height / 2) switch
        {
            (true, true) => topLeft,
            (false, true) => topRight,
            (true, false) => bottomLeft,
            _ => bottomRight,
        });

    /// <summary>Noise around a base colour plus a gradient: compresses like a photo, unlike a flat fill.</summary>
    public static SKBitmap PhotoLike(int width, int height, SKColor tint, int seed)
    {
        var random = new Random(seed);
        return Draw(width, height, (x, y) =>
        {
            var shade = (x + y) * 60 / (width + height) - 30 + random.Next(-25, 26);
            return new SKColor(Clamp(tint.Red + shade), Clamp(tint.Green + shade), Clamp(tint.Blue + shade));
        });
    }

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 95)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality)
            ?? throw new InvalidOperationException($"Skia cannot encode {format}.");
        return data.ToArray();
    }

    public static byte[] Png(SKBitmap bitmap) => Encode(bitmap, SKEncodedImageFormat.Png);

    public static byte[] Jpeg(SKBitmap bitmap, int quality = 95) => Encode(bitmap, SKEncodedImageFormat.Jpeg, quality);

    private static SKBitmap Draw(int width, int height, Func<int, int, SKColor> colorAt)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        // Filled in managed memory and copied once: SetPixel per pixel is far too slow for 4096×4096.
        var rowBytes = bitmap.RowBytes;
        var pixels = new byte[rowBytes * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var c = colorAt(x, y);
                var p = y * rowBytes + x * 4;
                (pixels[p], pixels[p + 1], pixels[p + 2], pixels[p + 3]) = (c.Red, c.Green, c.Blue, c.Alpha);
            }
        }

        Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        return bitmap;
    }

    private static byte Clamp(int value) => (byte)Math.Clamp(value, 0, 255);
}
