using SkiaSharp;

namespace Pipeline.Imaging;

/// <summary>Applies the EXIF orientation so that every later stage sees the picture upright.</summary>
internal static class Orientation
{
    public static bool SwapsAxes(SKEncodedOrigin origin) => origin is
        SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    public static SKBitmap Apply(SKBitmap source, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft)
        {
            return source.Copy();
        }

        float w = source.Width, h = source.Height;
        // Maps a source point (x, y) to where it belongs upright: x' = ScaleX·x + SkewX·y + TransX, y' likewise.
        var matrix = origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
            SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
            _ => SKMatrix.Identity,
        };

        var (width, height) = SwapsAxes(origin) ? (source.Height, source.Width) : (source.Width, source.Height);
        var upright = new SKBitmap(source.Info.WithSize(width, height));
        using var canvas = new SKCanvas(upright);
        canvas.SetMatrix(matrix);
        using var image = SKImage.FromBitmap(source);
        using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest), paint);
        return upright;
    }
}
