using NetVips;
using Pipeline.Imaging.Formats;
using SkiaSharp;
using VipsImage = NetVips.Image;

namespace Pipeline.Imaging.Codecs;

/// <summary>
/// JPEG, PNG, WebP, GIF (first frame), TIFF (first page) and AVIF through libvips: its <c>thumbnail</c> shrinks on load
/// (JPEG's reduced DCT scales, WebP's scaled decoding) and streams the rest row by row through the reduction, so time
/// and memory follow the output, not the input: a 17 KB PNG declaring 8000×8000 pixels is read strip by strip into a
/// 1024-pixel picture instead of a 256 MB bitmap. It turns the picture upright from its EXIF orientation and converts
/// an embedded colour profile (Display P3, Adobe RGB, CMYK) to sRGB.
/// </summary>
internal sealed class VipsCodec : IImageCodec
{
    /// <summary>libvips's own loaders that may ever run: every other one (SVG, PDF, MATLAB, …) is blocked.</summary>
    private static readonly string[] Loaders =
    [
        "VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadSpng", "VipsForeignLoadWebp", "VipsForeignLoadNsgif",
        "VipsForeignLoadGif", "VipsForeignLoadTiff", "VipsForeignLoadHeif",
    ];

    /// <summary>Truncated data is an error, not a warning with a grey tail (libvips's default).</summary>
    private const string LoadOptions = "fail_on=truncated";

    static VipsCodec()
    {
        // No operation cache: every image is decoded once, and a cache would keep pictures alive after use.
        Cache.Max = 0;
        Cache.MaxMem = 0;
        Cache.MaxFiles = 0;
        // One thread per decode: the worker decodes the images of a batch side by side, one per core.
        NetVips.NetVips.Concurrency = 1;
        NetVips.NetVips.BlockUntrusted = true;
        // libvips prints a warning per damaged tile on stderr; the failure itself reaches the caller as an exception.
        Log.SetLogHandler("VIPS", Enums.LogLevelFlags.Warning | Enums.LogLevelFlags.Message | Enums.LogLevelFlags.Info, (_, _, _) => { });
        Operation.Block("VipsForeignLoad", true);
        foreach (var loader in Loaders)
        {
            Operation.Block(loader, false);
        }
    }

    public ImageHeader ReadHeader(ImageFormat format, byte[] bytes)
    {
        try
        {
            // Only the header is parsed: pixels are read when something asks for them.
            using var image = VipsImage.NewFromBuffer(bytes, LoadOptions, Enums.Access.Sequential);
            var orientation = image.Contains("orientation") ? (int)image.Get("orientation") : 1;
            return new ImageHeader(format, image.Width, image.Height, SwapsAxes: orientation is >= 5 and <= 8);
        }
        catch (VipsException e)
        {
            throw DecodeFailures.Header(format, bytes, e.Message);
        }
    }

    public SKBitmap Decode(ImageFormat format, byte[] bytes, int width, int height, CancellationToken cancellationToken)
    {
        var owned = new List<VipsImage>();
        try
        {
            var image = Own(owned, VipsImage.ThumbnailBuffer(bytes, width, LoadOptions, height, Enums.Size.Force));
            if (image.Contains("icc-profile-data"))
            {
                // After the reduction, on the small picture: thumbnail's own output_profile transforms every picture,
                // profile or not, at twice the cost of the whole decode.
                image = Own(owned, image.IccTransform("srgb", embedded: true));
            }

            image = Own(owned, ToRgba(image, owned));
            image.SetProgress(null, cancellationToken);
            return Bitmap(image, cancellationToken);
        }
        catch (VipsException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (VipsException e)
        {
            throw DecodeFailures.Pixels(format, bytes, e.Message);
        }
        finally
        {
            foreach (var image in owned)
            {
                image.Dispose();
            }
        }
    }

    /// <summary>8-bit sRGB with an alpha band, whatever the file held (grey, 1-bit, 16-bit, palette, CMYK already converted).</summary>
    private static VipsImage ToRgba(VipsImage image, List<VipsImage> owned)
    {
        if (image.Interpretation != Enums.Interpretation.Srgb || image.Format != Enums.BandFormat.Uchar)
        {
            image = Own(owned, image.Colourspace(Enums.Interpretation.Srgb));
        }

        if (image.Format != Enums.BandFormat.Uchar)
        {
            image = Own(owned, image.Cast(Enums.BandFormat.Uchar));
        }

        return image.Bands switch
        {
            3 => image.Bandjoin(255),
            4 => image.Copy(),
            _ => Own(owned, image.ExtractBand(0, 3)).Bandjoin(Own(owned, image.ExtractBand(image.Bands - 1))),
        };
    }

    private static VipsImage Own(List<VipsImage> owned, VipsImage image)
    {
        owned.Add(image);
        return image;
    }

    /// <summary>Runs the pipeline into memory libvips allocates, which the bitmap then owns (freed with it, never copied).</summary>
    private static SKBitmap Bitmap(VipsImage rgba, CancellationToken cancellationToken)
    {
        var pixels = rgba.WriteToMemory(out _);
        if (cancellationToken.IsCancellationRequested)
        {
            NetVips.NetVips.Free(pixels);
            cancellationToken.ThrowIfCancellationRequested();
        }

        var info = new SKImageInfo(rgba.Width, rgba.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul, SKColorSpace.CreateSrgb());
        var bitmap = new SKBitmap();
        // Skia calls the release delegate when the bitmap lets go of the pixels, and at once if it refuses them.
        if (!bitmap.InstallPixels(info, pixels, info.RowBytes, (address, _) => NetVips.NetVips.Free(address)))
        {
            bitmap.Dispose();
            throw new InvalidOperationException("The decoded pixels could not be handed to a bitmap.");
        }

        return bitmap;
    }
}
