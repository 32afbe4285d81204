using System.Text;

namespace Pipeline.Inference.Tokenizers;

/// <summary>
/// GPT-2's reversible byte ↔ printable-character table (<c>bytes_to_unicode</c>): the printable Latin-1 bytes map to
/// themselves, the other 68 bytes to U+0100…U+0143 in byte order. Byte-level BPE vocabularies are written in it.
/// </summary>
internal static class ByteLevel
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly short[] CharToByte = BuildCharToByte(ByteToChar);

    /// <summary>The vocabulary character standing for <paramref name="value"/>.</summary>
    public static char ToChar(byte value) => ByteToChar[value];

    /// <summary>
    /// Appends the bytes a vocabulary token stands for. A character outside the table (never in GPT-2/CLIP
    /// vocabularies) is appended as its own UTF-8, as Hugging Face's ByteLevel decoder does.
    /// </summary>
    public static void AppendBytes(string token, List<byte> destination)
    {
        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            if (c < CharToByte.Length && CharToByte[c] >= 0)
            {
                destination.Add((byte)CharToByte[c]);
                continue;
            }

            var length = char.IsHighSurrogate(c) && i + 1 < token.Length && char.IsLowSurrogate(token[i + 1]) ? 2 : 1;
            destination.AddRange(Encoding.UTF8.GetBytes(token.Substring(i, length)));
            i += length - 1;
        }
    }

    private static char[] BuildByteToChar()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)next++;
        }

        return table;
    }

    private static short[] BuildCharToByte(char[] byteToChar)
    {
        var reverse = new short[byteToChar.Max() + 1];
        Array.Fill(reverse, (short)-1);
        for (var b = 0; b < byteToChar.Length; b++)
        {
            reverse[byteToChar[b]] = (short)b;
        }

        return reverse;
    }
}
