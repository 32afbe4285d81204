using SkiaSharp;

namespace Pipeline.Imaging;

/// <summary>The max-side / min-side downscale rule and a good-quality resize for large reductions.</summary>
internal static class Downscale
{
    public static float Factor(int width, int height, int maxSide, int minSide)
    {
        var longSide = Math.Max(width, height);
        var shortSide = Math.Min(width, height);
        var scale = Math.Min(1f, (float)maxSide / longSide);
        if (shortSide * scale < minSide)
        {
            scale = Math.Min(1f, (float)minSide / shortSide);
        }

        return scale;
    }

    public static (int Width, int Height) Size(int width, int height, float scale) =>
        scale >= 1f
            ? (width, height)
            : (Math.Max(1, (int)MathF.Round(width * scale)), Math.Max(1, (int)MathF.Round(height * scale)));

    public static SKBitmap Resize(SKBitmap source, int width, int height)
    {
        var resized = new SKBitmap(source.Info.WithSize(width, height));
        using var canvas = new SKCanvas(resized);
        using var image = SKImage.FromBitmap(source);
        using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
        // Trilinear mipmaps average every source pixel on large reductions instead of skipping most of them.
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        canvas.DrawImage(image, new SKRect(0, 0, width, height), sampling, paint);
        return resized;
    }
}
