using SkiaSharp;

namespace Pipeline.Inference.Ocr;

/// <summary>
/// One input picture as OCR sees it: opaque, transparent areas composited on white (dark text on a transparent
/// background is the common case for logos and captions, and reads as it would on a web page).
/// </summary>
internal sealed class OcrImage : IDisposable
{
    private OcrImage(SKImage image, int width, int height)
    {
        Image = image;
        Width = width;
        Height = height;
    }

    public SKImage Image { get; }

    public int Width { get; }

    public int Height { get; }

    public static OcrImage From(SKBitmap bitmap)
    {
        if (bitmap.Width <= 0 || bitmap.Height <= 0)
        {
            throw new ArgumentException($"An image of {bitmap.Width}×{bitmap.Height} pixels cannot be read.", nameof(bitmap));
        }

        var info = new SKImageInfo(bitmap.Width, bitmap.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"Skia cannot allocate {info.Width}×{info.Height} pixels.");
        surface.Canvas.Clear(SKColors.White);
        using (var source = SKImage.FromBitmap(bitmap))
        {
            surface.Canvas.DrawImage(source, 0, 0);
        }

        return new OcrImage(surface.Snapshot(), bitmap.Width, bitmap.Height);
    }

    /// <summary>The picture scaled to <paramref name="width"/>×<paramref name="height"/> as RGBA bytes (trilinear, so large reductions average).</summary>
    public byte[] ResizedRgba(int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
            canvas.DrawImage(Image, new SKRect(0, 0, width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), paint);
        }

        return bitmap.GetPixelSpan().ToArray();
    }

    public void Dispose() => Image.Dispose();
}
