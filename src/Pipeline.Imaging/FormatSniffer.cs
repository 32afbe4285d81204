using System.Text;

namespace Pipeline.Imaging;

/// <summary>
/// Names what a file is when it is not an image we decode, so that the failure message tells a person what they
/// uploaded ("a PDF document") rather than only that decoding failed.
/// </summary>
internal static class FormatSniffer
{
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
