using System.Text;

namespace Pipeline.Imaging;

/// <summary>
/// Names what a file is when it is not an image we decode, so that the failure message tells a person what they
/// uploaded ("a PDF document") rather than only that decoding failed. Also recognises the formats we do decode from
/// their signature alone, so that an upload can be refused before anything is stored.
/// </summary>
public static class FormatSniffer
{
    /// <summary>The media type of a PNG, JPEG, WebP, GIF or BMP file from its first bytes; null for anything else.</summary>
    public static string? ImageMediaType(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        ReadOnlySpan<byte> jpeg = [0xFF, 0xD8, 0xFF];
        if (bytes.StartsWith(png))
        {
            return "image/png";
        }

        if (bytes.StartsWith(jpeg))
        {
            return "image/jpeg";
        }

        if (bytes.StartsWith("GIF87a"u8) || bytes.StartsWith("GIF89a"u8))
        {
            return "image/gif";
        }

        if (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        // "BM" alone is too common a start for text; a BMP also declares one of the known header sizes at offset 14.
        return bytes.Length >= 18 && bytes.StartsWith("BM"u8) && bytes[14] is 12 or 40 or 52 or 56 or 64 or 108 or 124
            ? "image/bmp"
            : null;
    }

    public static string? DescribeNonImage(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("%PDF-"u8))
        {
            return "a PDF document";
        }

        if (bytes.StartsWith("II*\0"u8) || bytes.StartsWith("MM\0*"u8))
        {
            return "a TIFF image";
        }

        if (bytes.Length >= 12 && bytes[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = Encoding.ASCII.GetString(bytes[8..12]);
            return brand.StartsWith("avi", StringComparison.Ordinal) ? "an AVIF image" : "a HEIF/HEIC image or video";
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
