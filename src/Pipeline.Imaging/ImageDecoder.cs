using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using SkiaSharp;

namespace Pipeline.Imaging;

/// <summary>
/// Turns encoded bytes into an upright, downscaled bitmap, or rejects them with a specific reason.
/// Every limit is checked from the header before a pixel is decoded, so a decompression bomb costs nothing.
/// </summary>
public sealed class ImageDecoder(IOptions<ImagingOptions> options)
{
    private static readonly Dictionary<SKEncodedImageFormat, string> SupportedFormats = new()
    {
        [SKEncodedImageFormat.Png] = "png",
        [SKEncodedImageFormat.Jpeg] = "jpeg",
        [SKEncodedImageFormat.Webp] = "webp",
        [SKEncodedImageFormat.Gif] = "gif",
        [SKEncodedImageFormat.Bmp] = "bmp",
    };

    private readonly ImagingOptions _options = options.Value;

    /// <exception cref="ImageRejectedException">The bytes are not an image this worker can describe.</exception>
    public DecodedImage Decode(ReadOnlySpan<byte> bytes)
    {
        CheckSize(bytes);

        using var data = SKData.CreateCopy(bytes);
        // The codec owns the stream and disposes it with itself.
        using var codec = SKCodec.Create(new SKMemoryStream(data), out var openResult)
            ?? throw RejectUnreadable(bytes, openResult);

        if (!SupportedFormats.TryGetValue(codec.EncodedFormat, out var format))
        {
            throw new ImageRejectedException(
                FailureReasons.UnsupportedFormat,
                $"{codec.EncodedFormat} images are not supported; send PNG, JPEG, WebP, GIF or BMP.");
        }

        var encoded = codec.Info;
        CheckDimensions(encoded.Width, encoded.Height);

        var origin = codec.EncodedOrigin;
        var (uprightWidth, uprightHeight) = Orientation.SwapsAxes(origin)
            ? (encoded.Height, encoded.Width)
            : (encoded.Width, encoded.Height);
        var scale = Downscale.Factor(uprightWidth, uprightHeight, _options.MaxSide, _options.MinSide);

        using var decoded = DecodePixels(codec, scale);
        using var upright = Orientation.Apply(decoded, origin);
        var (targetWidth, targetHeight) = Downscale.Size(uprightWidth, uprightHeight, scale);
        var bitmap = upright.Width == targetWidth && upright.Height == targetHeight
            ? upright.Copy()
            : Downscale.Resize(upright, targetWidth, targetHeight);

        return new DecodedImage(bitmap, format, uprightWidth, uprightHeight);
    }

    // The byte cap is enforced while fetching (Sources:MaxBytes), before the bytes are ever held whole.
    private static void CheckSize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            throw new ImageRejectedException(FailureReasons.EmptyFile, "The file is empty (0 bytes).");
        }
    }

    private void CheckDimensions(int width, int height)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ImageRejectedException(FailureReasons.CorruptImage, $"The image declares an invalid size {width}×{height}.");
        }

        if (width > _options.MaxDimension || height > _options.MaxDimension || (long)width * height > _options.MaxPixels)
        {
            throw new ImageRejectedException(
                FailureReasons.TooManyPixels,
                $"The image declares {width:N0}×{height:N0} pixels; the limits are {_options.MaxDimension:N0} per side " +
                $"and {_options.MaxPixels:N0} in all.");
        }
    }

    private static SKBitmap DecodePixels(SKCodec codec, float scale)
    {
        // JPEG decoders can scale by 1/8..1 while decoding: far less memory and time for large photos.
        var size = codec.Info.Size;
        if (scale < 1f)
        {
            var scaled = codec.GetScaledDimensions(scale);
            if (scaled.Width >= Math.Ceiling(size.Width * scale) && scaled.Height >= Math.Ceiling(size.Height * scale))
            {
                size = scaled;
            }
        }

        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul, SKColorSpace.CreateSrgb());
        var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is SKCodecResult.Success)
        {
            return bitmap;
        }

        bitmap.Dispose();
        throw result switch
        {
            SKCodecResult.IncompleteInput => new ImageRejectedException(
                FailureReasons.TruncatedImage, "The image file is truncated: its data ends before the last row of pixels."),
            _ => new ImageRejectedException(
                FailureReasons.CorruptImage, $"The image data is corrupt and cannot be decoded ({result})."),
        };
    }

    private static ImageRejectedException RejectUnreadable(ReadOnlySpan<byte> bytes, SKCodecResult result)
    {
        var nonImage = FormatSniffer.DescribeNonImage(bytes);
        if (nonImage is not null)
        {
            return new ImageRejectedException(
                FailureReasons.UnsupportedFormat,
                $"The file is {nonImage}, not a picture this worker can describe; send PNG, JPEG, WebP, GIF or BMP.");
        }

        return result == SKCodecResult.IncompleteInput
            ? new ImageRejectedException(FailureReasons.TruncatedImage, "The image file is truncated: it ends inside its header.")
            : new ImageRejectedException(
                FailureReasons.UnrecognizedFormat,
                "The file is not a recognised image format (no PNG, JPEG, WebP, GIF or BMP signature).");
    }
}
