using Microsoft.Extensions.Options;
using Pipeline.Imaging;
using SkiaSharp;

namespace Pipeline.Api.Images;

/// <summary>
/// Small pictures for the search page: decoded by the worker's own decoder (header limits, EXIF orientation, the same
/// good-quality reduction) to the asked width, encoded as WebP (keeps transparency; every current browser shows it).
/// Each is made once (<see cref="ThumbnailRenders"/>) and served from the store after that (<see cref="ThumbnailBlobs"/>).
/// </summary>
public sealed class Thumbnails(IOptions<ImagingOptions> imaging)
{
    public const string MediaType = "image/webp";
    private const int Quality = 80;

    /// <exception cref="ImageRejectedException">The bytes do not decode.</exception>
    public byte[] Render(byte[] bytes, int width)
    {
        var limits = new ImagingOptions
        {
            MaxPixels = imaging.Value.MaxPixels,
            MaxDimension = imaging.Value.MaxDimension,
            DecodeTimeoutMs = imaging.Value.DecodeTimeoutMs,
            MaxDecodingPixels = imaging.Value.MaxDecodingPixels,
        };
        var header = new ImageDecoder(Options.Create(limits)).ReadHeader(bytes);
        // The decoder bounds the longer side; choose it so that the width comes out as asked (never enlarged).
        var scale = Math.Min(1.0, (double)width / header.UprightWidth);
        limits.MaxSide = Math.Max(1, (int)Math.Ceiling(Math.Max(header.UprightWidth, header.UprightHeight) * scale));
        limits.MinSide = 1;
        using var decoded = new ImageDecoder(Options.Create(limits)).Decode(bytes);
        using var image = SKImage.FromBitmap(decoded.Bitmap);
        using var encoded = image.Encode(SKEncodedImageFormat.Webp, Quality);
        return encoded.ToArray();
    }
}
