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

    /// <summary>
    /// The text of byte-level BPE ids: special tokens written as they are (or skipped), the byte-level runs between
    /// them joined into bytes and decoded as UTF-8 (invalid sequences become U+FFFD, like Rust's from_utf8_lossy and
    /// TextDecoder).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in <paramref name="idToToken"/>.</exception>
    public static string Decode(IEnumerable<long> ids, string?[] idToToken, IReadOnlySet<int> specialIds, bool skipSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var pending = new List<byte>();
        foreach (var id in ids)
        {
            var token = id >= 0 && id < idToToken.Length ? idToToken[id] : null;
            if (token is null)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is not in the vocabulary of {idToToken.Length} tokens.");
            }

            if (specialIds.Contains((int)id))
            {
                if (!skipSpecialTokens)
                {
                    Flush(pending, text);
                    text.Append(token);
                }

                continue;
            }

            AppendBytes(token, pending);
        }

        Flush(pending, text);
        return text.ToString();
    }

    private static void Flush(List<byte> pending, StringBuilder text)
    {
        if (pending.Count > 0)
        {
            text.Append(Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pending)));
            pending.Clear();
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
