using Microsoft.Extensions.Options;
using Pipeline.Contracts;
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
        try
        {
            return Encode(bytes, width);
        }
        finally
        {
            // The decoder leaves a full-size copy of the picture to the finalizer (SkiaSharp's SKBitmap.Copy draws through
            // a shader it never disposes, whose image copies the bitmap): 244 MiB for 64 megapixels. Collected now, before
            // the next render holds another; the GC cannot see native memory, and a few such copies exceed the API's limit.
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    private byte[] Encode(byte[] bytes, int width)
    {
        var (uprightWidth, uprightHeight) = UprightSize(bytes);
        // The decoder bounds the longer side; choose it so that the width comes out as asked (never enlarged).
        var scale = Math.Min(1.0, (double)width / uprightWidth);
        var longerSide = (int)Math.Ceiling(Math.Max(uprightWidth, uprightHeight) * scale);
        var decoder = new ImageDecoder(Options.Create(new ImagingOptions
        {
            MaxPixels = imaging.Value.MaxPixels,
            MaxDimension = imaging.Value.MaxDimension,
            MaxSide = Math.Max(1, longerSide),
            MinSide = 1,
        }));
        using var decoded = decoder.Decode(bytes);
        using var image = SKImage.FromBitmap(decoded.Bitmap);
        using var encoded = image.Encode(SKEncodedImageFormat.Webp, Quality);
        return encoded.ToArray();
    }

    private static (int Width, int Height) UprightSize(byte[] bytes)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(bytes))
            ?? throw new ImageRejectedException(FailureReasons.CorruptImage, "The image's header cannot be read.");
        var size = codec.Info.Size;
        return codec.EncodedOrigin >= SKEncodedOrigin.LeftTop ? (size.Height, size.Width) : (size.Width, size.Height);
    }
}
