namespace Pipeline.Tests.Faults.BadInput;

/// <summary>
/// A baseline JPEG with four components marked as Adobe CMYK — what print workflows export and Skia cannot write.
/// Every 8×8 block is one flat colour, so a block needs only its DC coefficient: a 4-bit code per size category,
/// and a 1-bit end-of-block for the AC coefficients.
/// </summary>
internal static class CmykJpeg
{
    /// <param name="ink">The C, M, Y, K values of the block at block column x, block row y.</param>
    public static byte[] Encode(int blocksWide, int blocksHigh, Func<int, int, byte[]> ink)
    {
        using var jpeg = new MemoryStream();
        jpeg.Write([0xFF, 0xD8]);
        // APP14 "Adobe", version 100, no flags, transform 0: four channels are CMYK, not YCCK.
        Segment(jpeg, 0xEE, [.. "Adobe"u8, 0, 100, 0, 0, 0, 0, 0]);
        // One quantisation table of ones: coefficients are stored as computed.
        Segment(jpeg, 0xDB, [0, .. Enumerable.Repeat((byte)1, 64)]);
        var height = blocksHigh * 8;
        var width = blocksWide * 8;
        Segment(jpeg, 0xC0, [8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0]);
        // DC table 0: twelve 4-bit codes, code k for size category k. AC table 0: only end-of-block, code "0".
        Segment(jpeg, 0xC4, [0x00, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .. Enumerable.Range(0, 12).Select(k => (byte)k)]);
        Segment(jpeg, 0xC4, [0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        Segment(jpeg, 0xDA, [4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0]);

        var bits = new BitWriter(jpeg);
        var previous = new int[4];
        for (var y = 0; y < blocksHigh; y++)
        {
            for (var x = 0; x < blocksWide; x++)
            {
                var values = ink(x, y);
                for (var component = 0; component < 4; component++)
                {
                    // The DCT of a flat block is 8 × (value − 128) at DC and zero elsewhere.
                    var dc = 8 * (values[component] - 128);
                    var difference = dc - previous[component];
                    previous[component] = dc;
                    var category = difference == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(difference));
                    bits.Write(category, 4);
                    bits.Write(difference >= 0 ? difference : difference + (1 << category) - 1, category);
                    bits.Write(0, 1);
                }
            }
        }

        bits.Flush();
        jpeg.Write([0xFF, 0xD9]);
        return jpeg.ToArray();
    }

    private static void Segment(Stream jpeg, byte marker, byte[] payload)
    {
        var length = payload.Length + 2;
        jpeg.Write([0xFF, marker, (byte)(length >> 8), (byte)length]);
        jpeg.Write(payload);
    }

    /// <summary>Entropy-coded bits, most significant first, with a zero stuffed after every 0xFF byte.</summary>
    private sealed class BitWriter(Stream output)
    {
        private int _buffer;
        private int _count;

        public void Write(int value, int length)
        {
            for (var i = length - 1; i >= 0; i--)
            {
                _buffer = (_buffer << 1) | ((value >> i) & 1);
                if (++_count == 8)
                {
                    Emit();
                }
            }
        }

        /// <summary>Pads the last byte with ones, as the standard asks.</summary>
        public void Flush()
        {
            while (_count != 0)
            {
                Write(1, 1);
            }
        }

        private void Emit()
        {
            output.WriteByte((byte)_buffer);
            if (_buffer == 0xFF)
            {
                output.WriteByte(0);
            }

            _buffer = 0;
            _count = 0;
        }
    }
}
