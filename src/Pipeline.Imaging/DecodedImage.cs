using SkiaSharp;

namespace Pipeline.Imaging;

/// <summary>
/// An image decoded upright (EXIF orientation applied) and downscaled, as unpremultiplied RGBA.
/// Alpha is kept but ignored by the models, as the reference preprocessors do (they drop it without compositing).
/// </summary>
public sealed class DecodedImage : IDisposable
{
    public DecodedImage(SKBitmap bitmap, string format, int originalWidth, int originalHeight)
    {
        Bitmap = bitmap;
        Format = format;
        OriginalWidth = originalWidth;
        OriginalHeight = originalHeight;
    }

    public SKBitmap Bitmap { get; }

    /// <summary>Lowercase format name: png, jpeg, webp, gif, bmp.</summary>
    public string Format { get; }

    /// <summary>Width as uploaded, after orientation.</summary>
    public int OriginalWidth { get; }

    /// <summary>Height as uploaded, after orientation.</summary>
    public int OriginalHeight { get; }

    public int Width => Bitmap.Width;

    public int Height => Bitmap.Height;

    public void Dispose() => Bitmap.Dispose();
}
