using ImageMagick;
using Pipeline.Imaging.Formats;
using SkiaSharp;
using VipsImage = NetVips.Image;

namespace Pipeline.Testing;

/// <summary>
/// A test picture in each format the worker reads, written by the library that writes it best here (Skia: PNG, JPEG,
/// WebP, BMP; libvips: TIFF, AVIF; ImageMagick: JPEG XL), with a stored orientation where the format has one. HEIC
/// cannot be written here (no HEVC encoder in the packages): those pictures are files made once (Pictures/README.md).
/// </summary>
public static class FormatEncoders
{
    public static readonly ImageFormat[] Writable =
        [ImageFormat.Jpeg, ImageFormat.Png, ImageFormat.WebP, ImageFormat.Bmp, ImageFormat.Tiff, ImageFormat.Avif, ImageFormat.JpegXl];

    /// <summary>A kept picture (Pictures/), as the build copies it beside the tests.</summary>
    public static byte[] Kept(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Pictures", name));

    /// <param name="orientation">EXIF orientation 1–8 stored with the pixels (JPEG, TIFF, AVIF, JPEG XL); 1 for none.</param>
    public static byte[] Encode(SKBitmap bitmap, ImageFormat format, int orientation = 1)
    {
        var png = DrawnPictures.Png(bitmap);
        return format.Name switch
        {
            "png" => png,
            "jpeg" => orientation == 1 ? DrawnPictures.Jpeg(bitmap, quality: 95) : HandMadeImages.JpegWithOrientation(DrawnPictures.Jpeg(bitmap, quality: 95), orientation),
            "webp" => DrawnPictures.Encode(bitmap, SKEncodedImageFormat.Webp, 95),
            "bmp" => HandMadeImages.Bmp(bitmap),
            "tiff" => Vips(png, orientation, image => image.TiffsaveBuffer()),
            "avif" => Vips(png, orientation, image => image.HeifsaveBuffer(q: 90, compression: NetVips.Enums.ForeignHeifCompression.Av1)),
            "jxl" => Magick(png, orientation),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format.Name, "No encoder for this format here."),
        };
    }

    private static byte[] Vips(byte[] png, int orientation, Func<VipsImage, byte[]> save)
    {
        using var image = VipsImage.NewFromBuffer(png);
        if (orientation == 1)
        {
            return save(image);
        }

        using var oriented = image.Mutate(m => m.Set(NetVips.GValue.GIntType, "orientation", orientation));
        return save(oriented);
    }

    private static byte[] Magick(byte[] png, int orientation)
    {
        using var image = new MagickImage(png);
        image.Orientation = (ImageMagick.Orientation)orientation;
        image.Quality = 95;
        return image.ToByteArray(MagickFormat.Jxl);
    }

    /// <summary>The TIFF with its ImageWidth tag (little-endian, as libvips writes it) changed to claim <paramref name="width"/>.</summary>
    public static byte[] TiffClaimingWidth(byte[] tiff, int width)
    {
        var patched = (byte[])tiff.Clone();
        var ifd = BitConverter.ToInt32(patched, 4);
        int entries = BitConverter.ToUInt16(patched, ifd);
        for (var i = 0; i < entries; i++)
        {
            var entry = ifd + 2 + (i * 12);
            if (BitConverter.ToUInt16(patched, entry) == 256)
            {
                var type = BitConverter.ToUInt16(patched, entry + 2);
                if (type == 3)
                {
                    BitConverter.TryWriteBytes(patched.AsSpan(entry + 8), (ushort)width);
                }
                else
                {
                    BitConverter.TryWriteBytes(patched.AsSpan(entry + 8), width);
                }

                return patched;
            }
        }

        throw new InvalidDataException("No ImageWidth tag in the TIFF.");
    }

    /// <summary>
    /// The HEIF file (HEIC or AVIF) with every image spatial extent ('ispe') property changed to claim
    /// <paramref name="width"/>×<paramref name="height"/>: the size readers take from the header.
    /// </summary>
    public static byte[] HeifClaimingSize(byte[] heif, int width, int height)
    {
        var patched = (byte[])heif.Clone();
        var found = false;
        for (var at = patched.AsSpan().IndexOf("ispe"u8); at >= 0;)
        {
            // 'ispe' is followed by version and flags (4 bytes), then the width and height as big-endian uint32.
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(patched.AsSpan(at + 8), width);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(patched.AsSpan(at + 12), height);
            found = true;
            var next = patched.AsSpan(at + 4).IndexOf("ispe"u8);
            at = next < 0 ? -1 : at + 4 + next;
        }

        return found ? patched : throw new InvalidDataException("No 'ispe' property in the HEIF file.");
    }
}
