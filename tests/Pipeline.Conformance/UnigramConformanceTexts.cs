using System.Text;
using Pipeline.StandInModels.MClip;

namespace Pipeline.Conformance;

/// <summary>
/// What people type into a multilingual search box, and what their keyboards and clipboards make of it: words of
/// every script in the generated vocabulary, mixed, with the unnormalised forms SentencePiece's charsmap exists for —
/// full-width Latin, half-width katakana, compatibility and decomposed jamo, combining marks, ligatures, odd spaces,
/// control characters — and the cases a tokenizer gets wrong first (empty, only spaces, added tokens, over 77 tokens).
/// </summary>
internal static class UnigramConformanceTexts
{
    public static IReadOnlyList<string> Fixed { get; } =
    [
        "고슴도치 사진을 찾아 줘.", "고슴도치가 풀밭에 있다", "Hello world", "Hello world!", "你好，世界", "How are you doing?",
        "You should've done this", "photo of a hedgehog", "text on a page", "ハリネズミの写真を探してください", "刺猬的照片",
        "ＨＥＬＬＯ　ＷＯＲＬＤ", "ﾊﾘﾈｽﾞﾐ", "ｶﾞｷﾞｸﾞ", "ㄱㅗㅅㅡㅁㄷㅗㅊㅣ", "ㅎㅏ ㄹㅣ", Decomposed("고슴도치"),
        "cafe\u0301", "Ａ\u0301", "e\u0301\u0302", "\u0301alone", "ﬁsh ﬂower", "①② ⑩", "x² H₂O", "Ⅻ ⅳ", "㍻ ㎏ ㌔",
        "no\u00A0break", "ideographic\u3000space", "zero\u200Bwidth", "join\u200Dme", "tab\tand\nnewline\r\nend", "bell\u0007char",
        "del\u007Fchar", "soft\u00ADhyphen", "～wave～", "~tilde~", "〜wave dash〜", "👨‍👩‍👧 family", "👍🏽 ok", "🇰🇷 flag", "❤️ heart",
        "❤ heart", "🦔🦔🦔", "<mask>", "a <mask> cat", "<s>hello</s>", "<pad>", "<unk>", "", " ", "   ", "\t", "▁already▁metaspace",
        "  leading and trailing  ", "double  space", "مرحبا بالعالم", "สวัสดีครับ", "नमस्ते दुनिया", "שלום עולם", "Ёлка ёж", "İstanbul",
        "ǅemal", "ﾟ", "゛゜", "ＡＢＣ１２３", "（括弧）", "“quotes” ‘single’", "…", "‼ ⁇", "µ Å K", "\uFEFFbom", "\uFFFDreplacement", "a\r\nb", "文\u0308\u0323", "o\u0308\u0323", "ｶﾞ", "ㄱㅗ", Decomposed("고"),
        string.Join(' ', Enumerable.Repeat("고슴도치 사진", 60)), string.Join(' ', Enumerable.Repeat("hedgehog", 100)),
    ];

    /// <summary><see cref="Fixed"/> and <paramref name="generated"/> texts drawn with a fixed seed.</summary>
    public static IReadOnlyList<string> All(int generated)
    {
        var random = new Random(19);
        var words = MultilingualWords.All.Concat(["café", "naïve", "Ｈｅｌｌｏ", "ｈｅｄｇｅｈｏｇ", "ﾈｺ", "ㄱ", "ㅏ", "ㅎ", "ﬁ", "①", "7", "42", "x"]).ToList();
        string[] separators = [" ", " ", " ", "", "  ", "\t", "\u3000", "\u00A0", ", ", "。", "\n", "-"];
        var texts = new List<string>(Fixed);
        while (texts.Count < Fixed.Count + generated)
        {
            var text = new StringBuilder();
            var count = random.Next(1, 9);
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    text.Append(separators[random.Next(separators.Length)]);
                }

                text.Append(Unnormalise(words[random.Next(words.Count)], random));
            }

            texts.Add(text.ToString());
        }

        return texts;
    }

    private static string Unnormalise(string word, Random random) => random.Next(12) switch
    {
        0 => FullWidth(word),
        1 => Decomposed(word),
        2 => word + "\u0301",
        3 => word.ToUpperInvariant(),
        4 => CompatibilityJamo(word),
        5 => word + "\u0308\u0323",
        _ => word,
    };

    /// <summary>
    /// Canonical decomposition with Hangul syllables split into conjoining jamo (ᄀ U+1100 + ᅩ U+1169), as macOS file
    /// names and some input methods leave Korean. .NET's <c>Normalize(FormD)</c> leaves Hangul syllables whole here.
    /// </summary>
    public static string Decomposed(string word)
    {
        var result = new StringBuilder();
        foreach (var c in word.Normalize(NormalizationForm.FormD))
        {
            if (c is < '\uAC00' or > '\uD7A3')
            {
                result.Append(c);
                continue;
            }

            var index = c - 0xAC00;
            result.Append((char)(0x1100 + (index / 588))).Append((char)(0x1161 + (index % 588 / 28)));
            if (index % 28 != 0)
            {
                result.Append((char)(0x11A7 + (index % 28)));
            }
        }

        return result.ToString();
    }

    /// <summary>ASCII letters and digits as their full-width forms (U+FF01–U+FF5E), as East Asian input methods type them.</summary>
    private static string FullWidth(string word) =>
        string.Concat(word.Select(c => c is > ' ' and < '\u007F' ? (char)(c - 0x21 + 0xFF01) : c));

    /// <summary>Hangul syllables spelled with compatibility jamo (ㄱ U+3131 …), as some keyboards leave unfinished input.</summary>
    private static string CompatibilityJamo(string word)
    {
        const string leads = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ";
        const string vowels = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ";
        const string tails = "\0ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ";
        var result = new StringBuilder();
        foreach (var c in word)
        {
            if (c is < '\uAC00' or > '\uD7A3')
            {
                result.Append(c);
                continue;
            }

            var index = c - 0xAC00;
            result.Append(leads[index / 588]).Append(vowels[index % 588 / 28]);
            if (index % 28 != 0)
            {
                result.Append(tails[index % 28]);
            }
        }

        return result.ToString();
    }
}
