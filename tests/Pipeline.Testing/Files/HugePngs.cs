using System.Buffers.Binary;
using System.IO.Compression;

namespace Pipeline.Testing;

/// <summary>
/// Valid PNGs that declare many pixels in few bytes, as hostile uploads do: the rows compress to almost nothing, so an
/// 8000×8000 picture is 8 KB (1-bit) or 200 KB (RGB) on the wire and 64 million pixels once decoded.
/// </summary>
/// <remarks>One file, compiled into the test projects that need it (see their csproj).</remarks>
public static class HugePngs
{
    /// <summary>1-bit grayscale, vertical stripes 8 pixels wide: about 8 KB at 8000×8000.</summary>
    public static byte[] Bilevel(int width, int height)
    {
        var row = new byte[(width + 7) / 8];
        Array.Fill(row, (byte)0xF0);
        return Png(width, height, bitDepth: 1, colorType: 0, row);
    }

    /// <summary>8-bit RGB of one colour (every row after the first says "same as above"): about 200 KB at 8000×8000.</summary>
    public static byte[] Rgb(int width, int height, byte red, byte green, byte blue)
    {
        var row = new byte[width * 3];
        for (var x = 0; x < width; x++)
        {
            (row[x * 3], row[x * 3 + 1], row[x * 3 + 2]) = (red, green, blue);
        }

        return Png(width, height, bitDepth: 8, colorType: 2, row);
    }

    /// <summary>A PNG whose single IDAT chunk holds <paramref name="idat"/> as given, whatever IHDR declares.</summary>
    public static byte[] Assemble(int width, int height, byte bitDepth, byte colorType, byte[] idat)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = bitDepth;
        header[9] = colorType;
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR"u8, header);
        Chunk(png, "IDAT"u8, idat);
        Chunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static byte[] Png(int width, int height, byte bitDepth, byte colorType, byte[] firstRow)
    {
        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.WriteByte(0); // filter None
            zlib.Write(firstRow);
            var same = new byte[firstRow.Length + 1];
            same[0] = 2; // filter Up with zero differences: each row repeats the one above
            for (var y = 1; y < height; y++)
            {
                zlib.Write(same);
            }
        }

        return Assemble(width, height, bitDepth, colorType, idat.ToArray());
    }

    private static void Chunk(Stream png, ReadOnlySpan<byte> type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        png.Write(type);
        png.Write(data);
        Span<byte> sum = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(sum, ~Crc32(Crc32(0xFFFFFFFFu, type), data));
        png.Write(sum);
    }

    /// <summary>CRC-32 (ISO-HDLC, as PNG and zip use it), continued from <paramref name="crc"/>.</summary>
    private static uint Crc32(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return crc;
    }
}
