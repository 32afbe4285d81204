using SkiaSharp;

namespace Pipeline.Imaging.Tensors;

/// <summary>Writes one image as a normalised CHW float tensor in the layout a model's preprocessor config asks for.</summary>
public static class TensorWriter
{
    public static void Write(SKBitmap image, PreprocessorConfig config, Span<float> destination)
    {
        if (destination.Length != config.TensorLength)
        {
            throw new ArgumentException($"Destination holds {destination.Length} floats; the tensor needs {config.TensorLength}.", nameof(destination));
        }

        var (resizeWidth, resizeHeight) = ResizedSize(image.Width, image.Height, config);
        using var resized = Resize(image, resizeWidth, resizeHeight, config.Bicubic);
        var outWidth = config.OutputWidth;
        var outHeight = config.OutputHeight;
        var left = Math.Max(0, (resizeWidth - outWidth) / 2);
        var top = Math.Max(0, (resizeHeight - outHeight) / 2);

        var pixels = resized.GetPixelSpan();
        var plane = outWidth * outHeight;
        var rowBytes = resized.RowBytes;
        var scale = new float[3];
        var offset = new float[3];
        for (var c = 0; c < 3; c++)
        {
            scale[c] = config.RescaleFactor / config.Std[c];
            offset[c] = config.Mean[c] / config.Std[c];
        }

        for (var y = 0; y < outHeight; y++)
        {
            var sourceY = top + y;
            for (var x = 0; x < outWidth; x++)
            {
                var sourceX = left + x;
                var index = y * outWidth + x;
                if (sourceX >= resizeWidth || sourceY >= resizeHeight)
                {
                    // Crops larger than the resized image are padded with zeros, as the HF processors do.
                    destination[index] = destination[plane + index] = destination[2 * plane + index] = 0f;
                    continue;
                }

                var p = sourceY * rowBytes + sourceX * 4;
                destination[index] = pixels[p] * scale[0] - offset[0];
                destination[plane + index] = pixels[p + 1] * scale[1] - offset[1];
                destination[2 * plane + index] = pixels[p + 2] * scale[2] - offset[2];
            }
        }
    }

    /// <summary>transformers.js rounding: the long side becomes floor(round(long·s, 2)).</summary>
    internal static (int Width, int Height) ResizedSize(int width, int height, PreprocessorConfig config)
    {
        if (config.ResizeShortestEdge is not { } edge)
        {
            return (config.ResizeWidth, config.ResizeHeight);
        }

        if (width <= height)
        {
            var scale = (double)edge / width;
            return (edge, (int)Math.Floor(Math.Round(height * scale, 2)));
        }
        else
        {
            var scale = (double)edge / height;
            return ((int)Math.Floor(Math.Round(width * scale, 2)), edge);
        }
    }

    private static SKBitmap Resize(SKBitmap source, int width, int height, bool bicubic)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var current = source;
        var owned = false;
        // Cubic filters sample a fixed 4×4 neighbourhood; halve with mipmaps first so big reductions still average.
        if (source.Width > 2 * width && source.Height > 2 * height)
        {
            current = Draw(source, 2 * width, 2 * height, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            owned = true;
        }

        var sampling = bicubic ? new SKSamplingOptions(SKCubicResampler.CatmullRom) : new SKSamplingOptions(SKFilterMode.Linear);
        var result = Draw(current, info.Width, info.Height, sampling);
        if (owned)
        {
            current.Dispose();
        }

        return result;
    }

    private static SKBitmap Draw(SKBitmap source, int width, int height, SKSamplingOptions sampling)
    {
        var target = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using var canvas = new SKCanvas(target);
        using var image = SKImage.FromBitmap(source);
        using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
        canvas.DrawImage(image, new SKRect(0, 0, width, height), sampling, paint);
        return target;
    }
}
