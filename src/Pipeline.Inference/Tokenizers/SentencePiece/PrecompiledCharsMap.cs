using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Pipeline.Inference.Tokenizers.SentencePiece;

/// <summary>
/// SentencePiece's <c>precompiled_charsmap</c> (the <c>Precompiled</c> normalizer of a tokenizer.json): a u32 trie
/// size, a darts-clone trie over UTF-8 and a blob of NUL-terminated replacements. Applied the way Hugging Face
/// <c>tokenizers</c> applies it (what Immich runs for M-CLIP): per grapheme cluster, the whole cluster when it is
/// under 6 UTF-8 bytes and has a rule, otherwise code point by code point. This is not NFKC: decomposed Hangul jamo
/// stay decomposed, and a cluster whose first character has a rule is replaced by that rule alone.
/// </summary>
internal sealed class PrecompiledCharsMap
{
    private const int WholeClusterLimit = 6;

    private readonly DoubleArrayTrie _trie;
    private readonly byte[] _replacements;

    private PrecompiledCharsMap(DoubleArrayTrie trie, byte[] replacements)
    {
        _trie = trie;
        _replacements = replacements;
    }

    /// <exception cref="InvalidDataException">The charsmap is not valid base64 or its trie size does not fit.</exception>
    public static PrecompiledCharsMap FromBase64(string charsmap)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(charsmap);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException("The Precompiled normalizer's precompiled_charsmap is not base64.", e);
        }

        if (bytes.Length < 4)
        {
            throw new InvalidDataException("The Precompiled normalizer's precompiled_charsmap is shorter than its header.");
        }

        var trieBytes = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        if (trieBytes % 4 != 0 || trieBytes == 0 || trieBytes > bytes.Length - 4)
        {
            throw new InvalidDataException($"The precompiled_charsmap declares a {trieBytes}-byte trie in {bytes.Length} bytes.");
        }

        var units = new uint[trieBytes / 4];
        for (var i = 0; i < units.Length; i++)
        {
            units[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4 + (i * 4)));
        }

        return new PrecompiledCharsMap(new DoubleArrayTrie(units), bytes[(4 + (int)trieBytes)..]);
    }

    public string Normalize(string text)
    {
        var result = new StringBuilder(text.Length);
        var clusters = StringInfo.GetTextElementEnumerator(text);
        Span<byte> utf8 = stackalloc byte[64];
        while (clusters.MoveNext())
        {
            var cluster = clusters.GetTextElement();
            if (Encoding.UTF8.GetByteCount(cluster) < WholeClusterLimit && Transform(cluster, utf8) is { } whole)
            {
                result.Append(whole);
                continue;
            }

            foreach (var rune in cluster.EnumerateRunes())
            {
                var single = rune.ToString();
                result.Append(Transform(single, utf8) ?? single);
            }
        }

        return result.ToString();
    }

    private string? Transform(string chunk, Span<byte> buffer)
    {
        var length = Encoding.UTF8.GetBytes(chunk, buffer);
        var at = _trie.ShortestPrefixValue(buffer[..length]);
        if (at < 0 || at >= _replacements.Length)
        {
            return null;
        }

        var end = Array.IndexOf(_replacements, (byte)0, at);
        return Encoding.UTF8.GetString(_replacements, at, (end < 0 ? _replacements.Length : end) - at);
    }
}
