using System.Buffers.Binary;
using System.IO.Compression;

namespace Pipeline.Testing;

/// <summary>
/// Valid PNGs of many pixels in few bytes, written row by row (nothing of their decoded size is ever held): what a
/// decoder must survive when a small upload declares a huge picture and really holds it.
/// </summary>
/// <remarks>One file, compiled into the test projects that need it (see their csproj).</remarks>
internal static class LargePngs
{
    private const byte Grayscale = 0, Rgb = 2;
    private const byte FilterNone = 0, FilterUp = 2;

    /// <summary>A black 1-bit grayscale picture: rows of zero bytes (filter None). 8000×8000 is about 8 KB.</summary>
    public static byte[] BlackBilevel(int width, int height) =>
        Png(width, height, bitDepth: 1, Grayscale, (width + 7) / 8, (_, _) => FilterNone);

    /// <summary>
    /// An 8-bit RGB picture of vertical colour bands: the first row holds them, every later row repeats it through
    /// filter Up (all differences zero). 8000×8000 is about 200 KB.
    /// </summary>
    public static byte[] RgbBands(int width, int height) =>
        Png(width, height, bitDepth: 8, Rgb, width * 3, (y, row) =>
        {
            if (y > 0)
            {
                return FilterUp;
            }

            for (var x = 0; x < width; x++)
            {
                row[x * 3] = (byte)(x * 255 / width);
                row[(x * 3) + 1] = (byte)(255 - (x * 255 / width));
                row[(x * 3) + 2] = (byte)(x / 64 % 2 * 255);
            }

            return FilterNone;
        });

    /// <param name="fillRow">Writes row y's filtered bytes into the (zeroed) row and returns its filter type.</param>
    private static byte[] Png(int width, int height, byte bitDepth, byte colorType, int rowBytes, Func<int, byte[], byte> fillRow)
    {
        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[rowBytes];
            for (var y = 0; y < height; y++)
            {
                Array.Clear(row);
                zlib.WriteByte(fillRow(y, row));
                zlib.Write(row);
            }
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = bitDepth;
        header[9] = colorType; // compression, filter method and interlace stay 0
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR"u8, header);
        WriteChunk(png, "IDAT"u8, idat.ToArray());
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, ReadOnlySpan<byte> type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        png.Write(type);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(Crc32(uint.MaxValue, type), data) ^ uint.MaxValue);
        png.Write(word);
    }

    /// <summary>CRC-32 (ISO-HDLC, as PNG uses) continued over <paramref name="bytes"/>; start at all ones, invert at the end.</summary>
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
