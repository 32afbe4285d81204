using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkiaSharp;

namespace Pipeline.Testing;

/// <summary>Files written byte by byte, for what Skia cannot encode or what a test needs exactly.</summary>
public static class HandMadeImages
{
    /// <summary>
    /// An animated GIF89a, every frame a single palette colour over the whole screen. Each pair of pixels is
    /// preceded by an LZW clear code, so codes stay 3 bits wide and no compression needs to be written.
    /// </summary>
    public static byte[] AnimatedGif(int width, int height, params SKColor[] frameColors) =>
        AnimatedGif(width, height, frameColors.Length, frameColors);

    /// <summary>As above with <paramref name="frames"/> frames, frame i in palette colour i mod 4 (at most 4 colours).</summary>
    public static byte[] AnimatedGif(int width, int height, int frames, params SKColor[] frameColors)
    {
        const int clear = 4, end = 5;
        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        gif.AddRange(UInt16(width));
        gif.AddRange(UInt16(height));
        gif.AddRange([0x91, 0, 0]); // global colour table of 4 entries, background 0, square pixels
        for (var i = 0; i < 4; i++)
        {
            var c = i < frameColors.Length ? frameColors[i] : SKColors.Black;
            gif.AddRange([c.Red, c.Green, c.Blue]);
        }

        gif.AddRange([0x21, 0xFF, 11, .. "NETSCAPE2.0"u8, 3, 1, 0, 0, 0]); // loop forever
        for (var frame = 0; frame < frames; frame++)
        {
            gif.AddRange([0x21, 0xF9, 4, 0x04, 10, 0, 0, 0]); // keep previous frame, 0.1 s
            gif.Add(0x2C);
            gif.AddRange([0, 0, 0, 0, .. UInt16(width), .. UInt16(height), 0]);
            var codes = new List<int>();
            for (var p = 0; p < width * height; p++)
            {
                if (p % 2 == 0)
                {
                    codes.Add(clear);
                }

                codes.Add(frame % 4);
            }

            codes.Add(end);
            var packed = PackLsbFirst(codes, bits: 3);
            gif.Add(2); // LZW minimum code size
            foreach (var block in packed.Chunk(255))
            {
                gif.Add((byte)block.Length);
                gif.AddRange(block);
            }

            gif.Add(0);
        }

        gif.Add(0x3B);
        return [.. gif];
    }

    /// <summary>A 24-bit bottom-up BMP (Skia has no BMP encoder).</summary>
    public static byte[] Bmp(SKBitmap bitmap)
    {
        var rowBytes = (bitmap.Width * 3 + 3) & ~3;
        var pixelBytes = rowBytes * bitmap.Height;
        var file = new byte[54 + pixelBytes];
        "BM"u8.CopyTo(file);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(2), file.Length);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(18), bitmap.Width);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(22), bitmap.Height);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(34), pixelBytes);
        for (var y = 0; y < bitmap.Height; y++)
        {
            var row = 54 + (bitmap.Height - 1 - y) * rowBytes;
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                file[row + x * 3] = c.Blue;
                file[row + x * 3 + 1] = c.Green;
                file[row + x * 3 + 2] = c.Red;
            }
        }

        return file;
    }

    /// <summary>
    /// A PNG from raw, unfiltered scanlines (each row gets filter byte 0), for layouts Skia does not write
    /// such as gray+alpha, or headers that lie about the size.
    /// </summary>
    public static byte[] Png(int width, int height, byte bitDepth, byte colorType, byte[] scanlines, int rowBytes)
    {
        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var offset = 0; offset < scanlines.Length; offset += rowBytes)
            {
                zlib.WriteByte(0);
                zlib.Write(scanlines, offset, rowBytes);
            }
        }

        return PngWithData(width, height, bitDepth, colorType, idat.ToArray());
    }

    /// <summary>A PNG whose single IDAT chunk holds <paramref name="idat"/> as given, whatever IHDR declares.</summary>
    public static byte[] PngWithData(int width, int height, byte bitDepth, byte colorType, byte[] idat) =>
        HugePngs.Assemble(width, height, bitDepth, colorType, idat);

    public static byte[] ZlibOfZeros(int count)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(new byte[count]);
        }

        return compressed.ToArray();
    }

    /// <summary>Byte offset of the first IDAT chunk's data in a PNG.</summary>
    public static (int Start, int Length) FindIdat(byte[] png)
    {
        var offset = 8;
        while (offset + 8 <= png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            if (png.AsSpan(offset + 4, 4).SequenceEqual("IDAT"u8))
            {
                return (offset + 8, length);
            }

            offset += 12 + length;
        }

        throw new InvalidOperationException("The PNG has no IDAT chunk.");
    }

    /// <summary>
    /// Inserts an APP1 Exif segment holding only the Orientation tag (0x0112) right after the JPEG's SOI marker.
    /// </summary>
    public static byte[] JpegWithOrientation(byte[] jpeg, int orientation)
    {
        if (jpeg is not [0xFF, 0xD8, ..])
        {
            throw new ArgumentException("Not a JPEG (no SOI marker).", nameof(jpeg));
        }

        byte[] tiff =
        [
            .. "MM"u8, 0, 42, 0, 0, 0, 8, // big-endian TIFF header, IFD0 at offset 8
            0, 1, // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, // Orientation, SHORT, count 1, value
            0, 0, 0, 0, // no next IFD
        ];
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        var length = payload.Length + 2;
        return [0xFF, 0xD8, 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload, .. jpeg.AsSpan(2)];
    }

    private static byte[] PackLsbFirst(List<int> codes, int bits)
    {
        var bytes = new List<byte>();
        int buffer = 0, count = 0;
        foreach (var code in codes)
        {
            buffer |= code << count;
            count += bits;
            while (count >= 8)
            {
                bytes.Add((byte)buffer);
                buffer >>= 8;
                count -= 8;
            }
        }

        if (count > 0)
        {
            bytes.Add((byte)buffer);
        }

        return [.. bytes];
    }

    private static byte[] UInt16(int value) => [(byte)value, (byte)(value >> 8)];
}
