namespace Pipeline.Inference.Tokenizers.SentencePiece;

/// <summary>
/// A darts-clone double-array trie over UTF-8 bytes, as SentencePiece stores it in a precompiled charsmap: each unit
/// packs a label, a leaf flag and the offset to its children (darts-clone's <c>DoubleArrayUnit</c>).
/// </summary>
internal sealed class DoubleArrayTrie(uint[] units)
{
    /// <summary>
    /// The value of the shortest key that is a prefix of <paramref name="key"/>, or -1 when none is. SentencePiece's
    /// normalizer (and Hugging Face's <c>spm_precompiled</c>, which Immich runs) takes the first of the common-prefix
    /// results, which is the shortest.
    /// </summary>
    public int ShortestPrefixValue(ReadOnlySpan<byte> key)
    {
        var node = Offset(units[0]);
        foreach (var b in key)
        {
            if (b == 0)
            {
                break;
            }

            node ^= b;
            if ((uint)node >= (uint)units.Length)
            {
                return -1;
            }

            var unit = units[node];
            if (Label(unit) != b)
            {
                return -1;
            }

            node ^= Offset(unit);
            if (HasLeaf(unit))
            {
                return (int)(units[node] & 0x7FFF_FFFFu);
            }
        }

        return -1;
    }

    private static int Offset(uint unit) => (int)((unit >> 10) << (int)((unit & (1u << 9)) >> 6));

    private static uint Label(uint unit) => unit & ((1u << 31) | 0xFFu);

    private static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;
}
