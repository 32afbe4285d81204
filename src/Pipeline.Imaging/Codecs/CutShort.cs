using System.Buffers.Binary;
using Pipeline.Imaging.Formats;

namespace Pipeline.Imaging.Codecs;

/// <summary>
/// Whether a file's own structure says it ends early. Libraries describe a cut HEIC, AVIF or TIFF in their own words
/// ("No 'meta' box", "not in a known format"); the file's layout settles it: a box that runs past the end, or a TIFF
/// tag directory (written after the pixels) that starts past it.
/// </summary>
internal static class CutShort
{
    public static bool Detect(ImageFormat format, ReadOnlySpan<byte> bytes)
    {
        if (format == ImageFormat.Tiff)
        {
            return TiffDirectoryPastTheEnd(bytes);
        }

        return (format == ImageFormat.Heic || format == ImageFormat.Avif || format == ImageFormat.JpegXl) && BoxPastTheEnd(bytes);
    }

    private static bool TiffDirectoryPastTheEnd(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8)
        {
            return true;
        }

        // BigTIFF keeps 8 here (its offset size), which is never past the end of a file that has a header.
        var offset = bytes[0] == (byte)'I' ? BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]) : BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]);
        return offset >= (uint)bytes.Length;
    }

    /// <summary>Walks the top-level ISO-BMFF boxes (HEIF, AVIF, the JPEG XL container); a bare codestream has none.</summary>
    private static bool BoxPastTheEnd(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8 || !(bytes[4..8].SequenceEqual("ftyp"u8) || bytes[4..8].SequenceEqual("JXL "u8)))
        {
            return false;
        }

        long at = 0;
        while (at + 8 <= bytes.Length)
        {
            long size = BinaryPrimitives.ReadUInt32BigEndian(bytes[(int)at..]);
            if (size == 1)
            {
                if (at + 16 > bytes.Length)
                {
                    return true;
                }

                size = (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(bytes[((int)at + 8)..]), long.MaxValue / 2);
            }
            else if (size == 0)
            {
                return false; // The last box runs to the end of the file, wherever that is.
            }

            if (size < 8)
            {
                return false; // Not a box layout this check understands: leave it to the library's words.
            }

            at += size;
        }

        // Past the end: the last box was cut; short of it: the file stops inside a box header.
        return at != bytes.Length;
    }
}
