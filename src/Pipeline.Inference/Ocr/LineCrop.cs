using SkiaSharp;

namespace Pipeline.Inference.Ocr;

/// <summary>
/// Cuts a text box out of its picture into a recogniser-sized strip: the box is mapped onto the strip in one resampling
/// (PaddleOCR warps the box, then resizes the crop), then framed by a few pixels of its own edge colour. The frame
/// gives the recogniser the margin it was trained with (without it PP-OCRv4 drops spaces between words) while no
/// neighbouring line is pulled in, which is what a larger box would do on dense text.
/// </summary>
internal static class LineCrop
{
    /// <summary>The frame around the text: 1/16 of the strip height (3 px at 48) on every side.</summary>
    internal static int Margin(int height) => height / 16;

    /// <summary>The box as the recogniser reads it: turned 90° when it is much taller than wide, as PaddleOCR does.</summary>
    public static Quad Upright(Quad box) => box.Height >= 1.5f * box.Width ? box.Rotated90() : box;

    /// <summary>Width of the strip at the given height: the box at its aspect (PaddleOCR: ceil(h × w / h)) plus the frame.</summary>
    public static int ScaledWidth(Quad box, int height)
    {
        var inner = height - 2 * Margin(height);
        return 2 * Margin(height) + Math.Max(1, (int)Math.Ceiling(inner * Math.Max(1f, (int)box.Width) / Math.Max(1f, (int)box.Height)));
    }

    /// <summary>
    /// Writes the box as a <paramref name="width"/>×<paramref name="height"/> strip, normalised (x/255 − 0.5)/0.5 in
    /// BGR order, into a [3, height, tensorWidth] slice; columns past <paramref name="width"/> stay as they are (0).
    /// </summary>
    public static void Render(OcrImage image, Quad box, int width, int height, Span<float> tensor, int tensorWidth)
    {
        var margin = Margin(height);
        using var text = Crop(image, box, width - 2 * margin, height - 2 * margin);
        using var strip = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(strip))
        using (var textImage = SKImage.FromBitmap(text))
        using (var shader = textImage.ToShader(SKShaderTileMode.Clamp, SKShaderTileMode.Clamp, new SKSamplingOptions(SKFilterMode.Nearest), SKMatrix.CreateTranslation(margin, margin)))
        using (var paint = new SKPaint { Shader = shader, BlendMode = SKBlendMode.Src })
        {
            canvas.DrawRect(0, 0, width, height, paint);
        }

        var rgba = strip.GetPixelSpan();
        var plane = height * tensorWidth;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = (y * width + x) * 4;
                var t = y * tensorWidth + x;
                tensor[t] = rgba[p + 2] / 127.5f - 1f;
                tensor[t + plane] = rgba[p + 1] / 127.5f - 1f;
                tensor[t + 2 * plane] = rgba[p] / 127.5f - 1f;
            }
        }
    }

    /// <summary>
    /// The box resampled to <paramref name="width"/>×<paramref name="height"/>; outside the picture its edge pixels repeat
    /// (OpenCV's BORDER_REPLICATE). Enlarging uses Mitchell cubic (small print stays legible), reducing trilinear mipmaps.
    /// </summary>
    private static SKBitmap Crop(OcrImage image, Quad box, int width, int height)
    {
        var sampling = box.Height < height
            ? new SKSamplingOptions(SKCubicResampler.Mitchell)
            : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        using var shader = image.Image.ToShader(SKShaderTileMode.Clamp, SKShaderTileMode.Clamp, sampling, BoxToStrip(box, width, height));
        using var paint = new SKPaint { Shader = shader, BlendMode = SKBlendMode.Src };
        canvas.DrawRect(0, 0, width, height, paint);
        return bitmap;
    }

    /// <summary>The affine map taking the box's top-left, top-right and bottom-left corners to the strip's corners.</summary>
    internal static SKMatrix BoxToStrip(Quad box, int width, int height)
    {
        var u = box.TopRight - box.TopLeft;
        var v = box.BottomLeft - box.TopLeft;
        // Strip → picture: strip (x, y) lands on TopLeft + x/width·u + y/height·v.
        var stripToPicture = new SKMatrix(u.X / width, v.X / height, box.TopLeft.X, u.Y / width, v.Y / height, box.TopLeft.Y, 0, 0, 1);
        return stripToPicture.TryInvert(out var inverse) ? inverse : SKMatrix.CreateScale(0, 0);
    }
}
