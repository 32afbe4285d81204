using System.Text;

namespace Pipeline.Contracts.Text;

/// <summary>
/// Unicode Normalization Form C (UAX #15: canonical decomposition, canonical ordering, canonical composition) over the
/// tables in Nfc.Data.g.cs. The worker runs with InvariantGlobalization, where <see cref="string.Normalize()"/> does
/// nothing, but Hugging Face's CLIP tokenizer starts with NFC — text from macOS (NFD) would otherwise tokenize differently.
/// Lone surrogates pass through unchanged.
/// </summary>
public static partial class Nfc
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;
    private const int ComposesFlag = 0x40000000;

    private static readonly Tables Data = new();

    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return IsQuickNfc(text) ? text : Compose(text);
    }

    /// <summary>True when no code point can change under NFC (no decomposable, combining or composing-second code point).</summary>
    private static bool IsQuickNfc(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x300)
            {
                continue;
            }

            var cp = ReadCodePoint(text, ref i);
            if (Data.MayChange(cp))
            {
                return false;
            }
        }

        return true;
    }

    private static string Compose(string text)
    {
        var cps = new List<int>(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            Decompose(ReadCodePoint(text, ref i), cps);
        }

        // Canonical ordering: stable sort of each run of non-starters by combining class.
        for (var i = 1; i < cps.Count; i++)
        {
            var cc = Data.CombiningClass(cps[i]);
            for (var j = i; cc != 0 && j > 0 && Data.CombiningClass(cps[j - 1]) > cc; j--)
            {
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
            }
        }

        // Canonical composition (UAX #15 sample algorithm).
        var length = cps.Count;
        if (length > 0)
        {
            var starterPos = 0;
            var starter = cps[0];
            var lastClass = Data.CombiningClass(starter) == 0 ? 0 : 256;
            var compPos = 1;
            for (var i = 1; i < length; i++)
            {
                var ch = cps[i];
                var chClass = Data.CombiningClass(ch);
                var composite = lastClass == 256 ? -1 : ComposePair(starter, ch);
                if (composite >= 0 && (lastClass < chClass || lastClass == 0))
                {
                    cps[starterPos] = composite;
                    starter = composite;
                    continue;
                }

                if (chClass == 0)
                {
                    starterPos = compPos;
                    starter = ch;
                }

                lastClass = chClass;
                cps[compPos++] = ch;
            }

            length = compPos;
        }

        var result = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            var cp = cps[i];
            if (cp < 0x10000)
            {
                result.Append((char)cp);
            }
            else
            {
                result.Append(char.ConvertFromUtf32(cp));
            }
        }

        return result.ToString();
    }

    private static void Decompose(int cp, List<int> destination)
    {
        var s = cp - SBase;
        if (s >= 0 && s < SCount)
        {
            destination.Add(LBase + (s / NCount));
            destination.Add(VBase + (s % NCount / TCount));
            if (s % TCount != 0)
            {
                destination.Add(TBase + (s % TCount));
            }

            return;
        }

        if (Data.Decompositions.TryGetValue(cp, out var pair))
        {
            Decompose(pair.First, destination);
            if (pair.Second != 0)
            {
                Decompose(pair.Second, destination);
            }

            return;
        }

        destination.Add(cp);
    }

    private static int ComposePair(int first, int second)
    {
        var l = first - LBase;
        var v = second - VBase;
        if (l >= 0 && l < LCount && v >= 0 && v < VCount)
        {
            return SBase + (((l * VCount) + v) * TCount);
        }

        var s = first - SBase;
        var t = second - TBase;
        if (s >= 0 && s < SCount && s % TCount == 0 && t > 0 && t < TCount)
        {
            return first + t;
        }

        return Data.Compositions.TryGetValue(((long)first << 21) | (uint)second, out var composite) ? composite : -1;
    }

    /// <summary>The code point at <paramref name="i"/> (advancing past a low surrogate); a lone surrogate is its own code point.</summary>
    private static int ReadCodePoint(string text, ref int i)
    {
        var c = text[i];
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            i++;
            return char.ConvertToUtf32(c, text[i]);
        }

        return c;
    }

    private sealed class Tables
    {
        private readonly Dictionary<int, byte> _combiningClasses = [];
        private readonly HashSet<int> _composingSeconds = [];

        public Tables()
        {
            var decompositions = DecompositionData;
            for (var i = 0; i < decompositions.Length; i += 3)
            {
                var second = decompositions[i + 2] & ~ComposesFlag;
                Decompositions[decompositions[i]] = (decompositions[i + 1], second);
                if ((decompositions[i + 2] & ComposesFlag) != 0)
                {
                    Compositions[((long)decompositions[i + 1] << 21) | (uint)second] = decompositions[i];
                    _composingSeconds.Add(second);
                }
            }

            var classes = CombiningClassData;
            for (var i = 0; i < classes.Length; i += 3)
            {
                for (var cp = classes[i]; cp <= classes[i + 1]; cp++)
                {
                    _combiningClasses[cp] = (byte)classes[i + 2];
                }
            }
        }

        public Dictionary<int, (int First, int Second)> Decompositions { get; } = [];

        public Dictionary<long, int> Compositions { get; } = [];

        public int CombiningClass(int cp) => _combiningClasses.TryGetValue(cp, out var cc) ? cc : 0;

        public bool MayChange(int cp)
            => (cp >= SBase && cp < SBase + SCount)
                || (cp >= VBase && cp < VBase + VCount)
                || (cp > TBase && cp < TBase + TCount)
                || Decompositions.ContainsKey(cp)
                || _combiningClasses.ContainsKey(cp)
                || _composingSeconds.Contains(cp);
    }
}
