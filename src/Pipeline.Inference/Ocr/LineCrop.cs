using SkiaSharp;

namespace Pipeline.Inference.Ocr;

/// <summary>
/// Cuts a text box out of its picture straight into a recogniser-sized strip: the box is mapped onto a
/// <c>width × height</c> rectangle in one resampling (PaddleOCR warps the box, then resizes the crop; one step here),
/// edge pixels repeated outside the picture like OpenCV's BORDER_REPLICATE.
/// </summary>
internal static class LineCrop
{
    /// <summary>The box as the recogniser reads it: turned 90° when it is much taller than wide, as PaddleOCR does.</summary>
    public static Quad Upright(Quad box) => box.Height >= 1.5f * box.Width ? box.Rotated90() : box;

    /// <summary>Width of the strip at the given height, keeping the box's aspect (PaddleOCR: ceil(height × w / h)).</summary>
    public static int ScaledWidth(Quad box, int height)
    {
        var margin = Margin(height);
        return 2 * margin + Math.Max(1, (int)Math.Ceiling(Stretch * (height - 2 * margin) * Math.Max(1f, (int)box.Width) / Math.Max(1f, (int)box.Height)));
    }

    internal static double PadV = double.Parse(Environment.GetEnvironmentVariable("PADV") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    private static int Margin(int height) => (int)Math.Round(PadV * height);

    internal static double Stretch = double.Parse(Environment.GetEnvironmentVariable("RECX") ?? "1", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes the box, scaled to <paramref name="width"/>×<paramref name="height"/>, normalised (x/255 − 0.5)/0.5 in
    /// BGR order into a [3, height, tensorWidth] slice; columns past <paramref name="width"/> stay as they are (0).
    /// </summary>
    internal static bool ExperimentRgb;
    private static int _dumped;

    public static void Render(OcrImage image, Quad box, int width, int height, Span<float> tensor, int tensorWidth)
    {
        var margin = Margin(height);
        Upscale = box.Height < height - 2 * margin;
        var info = new SKImageInfo(width - 2 * margin, height - 2 * margin, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var inner = new SKBitmap(info);
        using (var canvas = new SKCanvas(inner))
        using (var shader = image.Image.ToShader(SKShaderTileMode.Clamp, SKShaderTileMode.Clamp, Sampling, BoxToStrip(box, info.Width, info.Height)))
        using (var paint = new SKPaint { Shader = shader, BlendMode = SKBlendMode.Src })
        {
            canvas.DrawRect(0, 0, info.Width, info.Height, paint);
        }

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        using (var innerImage = SKImage.FromBitmap(inner))
        using (var shader = innerImage.ToShader(SKShaderTileMode.Clamp, SKShaderTileMode.Clamp, new SKSamplingOptions(SKFilterMode.Nearest), SKMatrix.CreateTranslation(margin, margin)))
        using (var paint = new SKPaint { Shader = shader, BlendMode = SKBlendMode.Src })
        {
            canvas.DrawRect(0, 0, width, height, paint);
        }

        if (Environment.GetEnvironmentVariable("DUMP") is { Length: > 0 } dump && height == 48 && tensorWidth != 192)
        {
            using var png = SKImage.FromBitmap(bitmap).Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(System.IO.Path.Combine(dump, $"crop{Interlocked.Increment(ref _dumped)}.png"), png.ToArray());
        }

        var rgba = bitmap.GetPixelSpan();
        var plane = height * tensorWidth;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = (y * width + x) * 4;
                var t = y * tensorWidth + x;
                var (c0, c2) = ExperimentRgb ? (rgba[p], rgba[p + 2]) : (rgba[p + 2], rgba[p]);
                tensor[t] = c0 / 127.5f - 1f;
                tensor[t + plane] = rgba[p + 1] / 127.5f - 1f;
                tensor[t + 2 * plane] = c2 / 127.5f - 1f;
            }
        }
    }

    [ThreadStatic]
    private static bool Upscale;

    private static SKSamplingOptions Sampling => Environment.GetEnvironmentVariable("CUBIC") switch
    {
        "1" => new(SKCubicResampler.CatmullRom),
        "2" => new(SKCubicResampler.Mitchell),
        "3" => new(SKFilterMode.Linear, SKMipmapMode.None),
        "4" => Upscale ? new(SKCubicResampler.Mitchell) : new(SKFilterMode.Linear, SKMipmapMode.Linear),
        "5" => Upscale ? new(SKCubicResampler.CatmullRom) : new(SKFilterMode.Linear, SKMipmapMode.Linear),
        _ => new(SKFilterMode.Linear, SKMipmapMode.Linear),
    };

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
