using SkiaSharp;

namespace Pipeline.Imaging;

/// <summary>A decoded picture as a JPEG for services that take images, not tensors (the OpenAI-compatible captioner).</summary>
public static class JpegExport
{
    /// <summary>
    /// Upright (EXIF applied at decoding), at most <paramref name="maxSide"/> on its longer side, transparent areas on
    /// white: re-encoding rather than forwarding the upload keeps requests small and sends only formats every
    /// provider reads.
    /// </summary>
    public static byte[] Encode(DecodedImage image, int maxSide, int quality = 85)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (width, height) = Downscale.Size(image.Width, image.Height, Downscale.Factor(image.Width, image.Height, maxSide, 1));
        using var flattened = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(flattened))
        {
            canvas.Clear(SKColors.White);
            using var source = SKImage.FromBitmap(image.Bitmap);
            var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
            canvas.DrawImage(source, new SKRect(0, 0, width, height), sampling);
        }

        using var data = flattened.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }
}
