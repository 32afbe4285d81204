using System.Text;

namespace Pipeline.Imaging.Formats;

/// <summary>
/// Tells a picture's format from its first bytes, before any decoder sees it (so an upload can be refused before it is
/// stored, and each format goes to the decoder built for it), and names what a file is when it is not a picture we
/// describe, so that a refusal tells a person what they uploaded ("a PDF document").
/// </summary>
public static class FormatSniffer
{
    /// <summary>HEIF brands whose pictures are HEVC-coded (HEIC) and those that are AV1-coded (AVIF).</summary>
    private static readonly string[] HevcBrands = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"];
    private static readonly string[] Av1Brands = ["avif", "avis"];
    private static readonly string[] GenericHeifBrands = ["mif1", "msf1", "miaf", "mif2"];

    /// <summary>The picture format of a file from its signature; null when it is none of <see cref="ImageFormat.All"/>.</summary>
    public static ImageFormat? Detect(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return ImageFormat.Png;
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return ImageFormat.Jpeg;
        }

        if (bytes.StartsWith("GIF87a"u8) || bytes.StartsWith("GIF89a"u8))
        {
            return ImageFormat.Gif;
        }

        if (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8))
        {
            return ImageFormat.WebP;
        }

        if (bytes.StartsWith("II*\0"u8) || bytes.StartsWith("MM\0*"u8))
        {
            return ImageFormat.Tiff;
        }

        // A bare JPEG XL codestream, or the ISO-BMFF container whose first box is "JXL ".
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x0A]) || bytes.StartsWith((ReadOnlySpan<byte>)[0, 0, 0, 0x0C, 0x4A, 0x58, 0x4C, 0x20, 0x0D, 0x0A, 0x87, 0x0A]))
        {
            return ImageFormat.JpegXl;
        }

        if (HeifBrands(bytes) is { Count: > 0 } brands)
        {
            if (brands.Any(Av1Brands.Contains))
            {
                return ImageFormat.Avif;
            }

            if (brands.Any(HevcBrands.Contains) || brands.Any(GenericHeifBrands.Contains))
            {
                return ImageFormat.Heic;
            }
        }

        // "BM" alone is too common a start for text; a BMP also declares one of the known header sizes at offset 14.
        return bytes.Length >= 18 && bytes.StartsWith("BM"u8) && bytes[14] is 12 or 40 or 52 or 56 or 64 or 108 or 124
            ? ImageFormat.Bmp
            : null;
    }

    /// <summary>The media type of a picture format we describe; null for anything else.</summary>
    public static string? ImageMediaType(ReadOnlySpan<byte> bytes) => Detect(bytes)?.MediaType;

    public static string? DescribeNonImage(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("%PDF-"u8))
        {
            return "a PDF document";
        }

        if (HeifBrands(bytes) is { Count: > 0 })
        {
            return "an ISO media file (a video or another HEIF kind) with no picture this worker reads";
        }

        var head = Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, 1024)]).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (head.Contains("<svg", StringComparison.OrdinalIgnoreCase))
        {
            return "an SVG vector image";
        }

        if (head.StartsWith('<'))
        {
            return "an XML or HTML document";
        }

        return LooksLikeText(bytes) ? "a text file" : null;
    }

    /// <summary>The major and compatible brands of an ISO-BMFF file's leading <c>ftyp</c> box; empty when it has none.</summary>
    private static List<string> HeifBrands(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 16 || !bytes[4..8].SequenceEqual("ftyp"u8))
        {
            return [];
        }

        var size = (int)Math.Min(bytes.Length, (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]));
        var brands = new List<string> { Encoding.ASCII.GetString(bytes[8..12]) };
        for (var offset = 16; offset + 4 <= size && brands.Count < 64; offset += 4)
        {
            brands.Add(Encoding.ASCII.GetString(bytes[offset..(offset + 4)]));
        }

        return brands;
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> bytes)
    {
        var sample = bytes[..Math.Min(bytes.Length, 512)];
        foreach (var b in sample)
        {
            if (b < 0x09 || (b > 0x0D && b < 0x20))
            {
                return false;
            }
        }

        return true;
    }
}
