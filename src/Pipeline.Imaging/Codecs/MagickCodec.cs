using ImageMagick;
using Pipeline.Imaging.Formats;
using SkiaSharp;

namespace Pipeline.Imaging.Codecs;

/// <summary>
/// HEIC (iPhone photos: HEVC through libheif and libde265), JPEG XL (libjxl) and BMP through ImageMagick, the formats the
/// packaged libvips cannot read. These decode whole: ImageMagick's own limits are set from <see cref="ImagingOptions"/>
/// (width, height, area, memory, no disk cache, one thread; only the first frame is read), the format is named rather than guessed (no other
/// coder can be reached), and a decode is cancelled between rows when its deadline passes. The picture comes out upright
/// (libheif applies HEIF's rotation, libjxl the codestream's orientation) and in sRGB (an embedded profile is converted).
/// </summary>
internal sealed class MagickCodec : IImageCodec
{
    private static readonly Lock Configured = new();
    private static bool _limitsSet;

    public MagickCodec(ImagingOptions options)
    {
        lock (Configured)
        {
            if (_limitsSet)
            {
                return;
            }

            ResourceLimits.Width = (ulong)options.MaxDimension;
            ResourceLimits.Height = (ulong)options.MaxDimension;
            ResourceLimits.Area = (ulong)options.MaxPixels;
            // Room for the pixels being decoded at once (4 bytes each) and one working copy; never spill to a disk cache.
            ResourceLimits.Memory = (ulong)options.MaxDecodingPixels * 8;
            ResourceLimits.Disk = 0;
            ResourceLimits.Thread = 1;
            _limitsSet = true;
        }
    }

    public ImageHeader ReadHeader(ImageFormat format, byte[] bytes)
    {
        try
        {
            // Reads the header only; a JPEG XL's stored orientation comes with it (HEIC's rotation is applied by libheif).
            using var image = new MagickImage();
            image.Ping(bytes, Settings(format));
            var turned = format == ImageFormat.JpegXl && image.Orientation is Orientation.LeftTop or Orientation.RightTop or Orientation.RightBottom or Orientation.LeftBottom;
            return new ImageHeader(format, checked((int)image.Width), checked((int)image.Height), turned);
        }
        catch (MagickException e)
        {
            throw DecodeFailures.Header(format, bytes, e.Message);
        }
    }

    public SKBitmap Decode(ImageFormat format, byte[] bytes, int width, int height, CancellationToken cancellationToken)
    {
        try
        {
            using var image = new MagickImage();
            image.Progress += (_, progress) => progress.Cancel = cancellationToken.IsCancellationRequested;
            image.Read(bytes, Settings(format));
            cancellationToken.ThrowIfCancellationRequested();
            if (format == ImageFormat.JpegXl)
            {
                image.AutoOrient();
            }

            if (image.GetColorProfile() is not null)
            {
                image.TransformColorSpace(ColorProfiles.SRGB);
            }

            if (image.Width > (uint)width || image.Height > (uint)height)
            {
                // Sample to a few times the size, then filter: the quality of a resize at a fraction of its cost.
                image.Thumbnail((uint)width, (uint)height);
            }

            cancellationToken.ThrowIfCancellationRequested();
            return Bitmap(image);
        }
        catch (MagickException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (MagickException e)
        {
            throw DecodeFailures.Pixels(format, bytes, e.Message);
        }
    }

    private static MagickReadSettings Settings(ImageFormat format) => new()
    {
        Format = format == ImageFormat.Heic ? MagickFormat.Heic : format == ImageFormat.JpegXl ? MagickFormat.Jxl : MagickFormat.Bmp,
        FrameIndex = 0,
        FrameCount = 1,
    };

    private static SKBitmap Bitmap(MagickImage image)
    {
        image.Depth = 8;
        var rgba = image.ToByteArray(MagickFormat.Rgba);
        var bitmap = new SKBitmap(new SKImageInfo((int)image.Width, (int)image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul, SKColorSpace.CreateSrgb()));
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }
}
