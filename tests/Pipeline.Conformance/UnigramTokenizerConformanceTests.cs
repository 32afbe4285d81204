using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Inference.Tokenizers.SentencePiece;
using Pipeline.StandInModels.MClip;

namespace Pipeline.Conformance;

/// <summary>
/// Our SentencePiece Unigram tokenizer (M-CLIP's XLM-R) against the two others a user could run on the same generated
/// tokenizer.json (Korean, Chinese, Japanese, Latin, Cyrillic and emoji pieces, the real nmt_nfkc charsmap):
/// Hugging Face <c>tokenizers</c> (Rust, what Immich runs; it applies the charsmap) must agree on every text, in the
/// file's 2020 form and in the form today's converters write; transformers.js (which approximates the charsmap with
/// NFKC) must agree wherever its normalizer does, and each way the two normalizers part is listed below.
/// </summary>
public sealed class UnigramTokenizerConformanceTests(UnigramTokenizerConformanceTests.Fixture fixture)
    : IClassFixture<UnigramTokenizerConformanceTests.Fixture>
{
    private const int Length = 77;

    /// <summary>
    /// Where the charsmap (Hugging Face tokenizers, Immich, us) and transformers.js' NFKC approximation part. Each is
    /// checked on its example below, and every text whose transformers.js ids differ from ours must show one of them.
    /// </summary>
    public static TheoryData<string, string, string, string> Differences { get; } = new()
    {
        { "compatibility jamo are mapped one by one, never composed into syllables", "ㄱㅗ", "\u1100\u1169", "고" },
        { "decomposed Hangul (conjoining jamo) stays decomposed", "\u1100\u1169", "\u1100\u1169", "고" },
        { "half-width katakana voiced marks are mapped alone, not composed", "ｶﾞ", "カ\u3099", "ガ" },
        { "a cluster under 6 UTF-8 bytes whose first character has a rule becomes that rule: its marks are dropped", "Ａ\u0301", "A", "Á" },
        { "…which also drops the second mark of a short cluster", "o\u0308\u0323", "ö", "ọ\u0308" },
        { "combining marks are not put into canonical order", "文\u0308\u0323", "文\u0308\u0323", "文\u0323\u0308" },
        { "CR LF is one cluster and becomes one space", "a\r\nb", "a b", "a  b" },
    };

    [Fact]
    public void EveryTextGetsTheIdsHuggingFaceTokenizersGives()
    {
        AssertSameAsRust(fixture.Tokenizer, fixture.Reference, "tokenizer.json as XLM-R's (2020 form)");
    }

    [Fact]
    public void TheFormTodaysConvertersWriteAgreesToo()
    {
        AssertSameAsRust(fixture.ConvertedTokenizer, fixture.ConvertedReference, "Sequence[Precompiled, Strip, Replace], Metaspace prepend_scheme first, TemplateProcessing");
    }

    [Fact]
    public void OurNormalizerIsTheCharsMapAsRustAppliesIt()
    {
        var differing = fixture.Texts.Where((t, i) => fixture.Tokenizer.Normalize(t) != fixture.Reference.HfNormalized[i]).Select(Show).ToList();
        Assert.True(differing.Count == 0, string.Join('\n', differing.Take(20)));
    }

    [Theory]
    [MemberData(nameof(Differences))]
    public void EachListedDifferenceIsWhatBothNormalizersDo(string what, string input, string charsMap, string nfkc)
    {
        var index = IndexOf(input);
        Assert.True(charsMap == fixture.Tokenizer.Normalize(input), $"{what}: ours {Show(fixture.Tokenizer.Normalize(input))}");
        Assert.True(charsMap == fixture.Reference.HfNormalized[index], $"{what}: Rust {Show(fixture.Reference.HfNormalized[index])}");
        Assert.True(nfkc == fixture.Reference.TransformersNormalized[index], $"{what}: transformers.js {Show(fixture.Reference.TransformersNormalized[index])}");
    }

    [Fact]
    public void TransformersJsDiffersOnlyWhereItsNfkcApproximationDoes()
    {
        var reference = fixture.Reference;
        int same = 0, explained = 0, identical = 0;
        var unexplained = new List<string>();
        for (var i = 0; i < fixture.Texts.Count; i++)
        {
            var text = fixture.Texts[i];
            var ours = fixture.Tokenizer.Encode(text);
            identical += ours.SequenceEqual(reference.TransformersIds[i]) ? 1 : 0;
            if (reference.TransformersNormalized[i] == fixture.Tokenizer.Normalize(text))
            {
                if (!ours.SequenceEqual(reference.TransformersIds[i]))
                {
                    unexplained.Add($"{Show(text)} (same normalized text): ours [{string.Join(',', ours)}] vs transformers.js [{string.Join(',', reference.TransformersIds[i])}]");
                }

                same++;
            }
            else if (ShowsAListedDifference(text))
            {
                explained++;
            }
            else
            {
                unexplained.Add($"{Show(text)}: charsmap {Show(fixture.Tokenizer.Normalize(text))}, transformers.js {Show(reference.TransformersNormalized[i])}");
            }
        }

        TestContext.Current.SendDiagnosticMessage(
            $"{fixture.Texts.Count} texts: {identical} get identical ids from transformers.js {reference.Versions.GetValueOrDefault("transformers")}; " +
            $"{same} are normalized alike (ids identical), {explained} differ through the listed differences");
        Assert.True(unexplained.Count == 0, string.Join('\n', unexplained.Take(30)));
        Assert.True(identical >= 1000, $"only {identical} texts got identical ids: the comparison must cover at least 1,000");
    }

    internal static string Show(string text) =>
        "\"" + string.Concat(text.EnumerateRunes().Select(r => r.Value is < 0x20 or (>= 0x7F and < 0xA0) or (>= 0x200B and <= 0x200F) or 0xFEFF or 0xAD
            || Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark || r.Value is (>= 0x1100 and <= 0x11FF) or (>= 0x3131 and <= 0x318E) or 0x3099 or 0x309A or 0xFF9E or 0xFF9F
            ? $"\\u{r.Value:X4}"
            : r.ToString())) + "\"";

    /// <summary>Jamo (compatibility or conjoining), half-width voiced marks, combining marks, or CR LF.</summary>
    private static bool ShowsAListedDifference(string text) =>
        text.Contains("\r\n", StringComparison.Ordinal)
        || text.Any(c => c is (>= '\u3131' and <= '\u318E') or (>= '\u1100' and <= '\u11FF') or '\uFF9E' or '\uFF9F'
            || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark);

    private static void AssertSameAsRust(UnigramTokenizer tokenizer, UnigramTokenizeReference reference, string form)
    {
        var texts = UnigramConformanceTexts.All(Fixture.Generated);
        var mismatches = new List<string>();
        for (var i = 0; i < texts.Count; i++)
        {
            var ours = tokenizer.Encode(texts[i]);
            if (!ours.SequenceEqual(reference.HfIds[i]))
            {
                mismatches.Add($"{Show(texts[i])}: ours [{string.Join(',', ours)}] vs Rust [{string.Join(',', reference.HfIds[i])}]");
            }

            var (ids, mask) = tokenizer.EncodePadded(texts[i], Length);
            if (!ids.SequenceEqual(reference.HfPaddedIds[i]) || !mask.SequenceEqual(reference.HfPaddedMask[i]))
            {
                mismatches.Add($"{Show(texts[i])} padded to {Length}: ours [{string.Join(',', ids)}] vs Rust [{string.Join(',', reference.HfPaddedIds[i])}]");
            }
        }

        TestContext.Current.SendDiagnosticMessage(
            $"{form}: {texts.Count} texts, {mismatches.Count} differ from Hugging Face tokenizers {reference.Versions.GetValueOrDefault("hf_tokenizers")}");
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches.Take(30)));
    }

    private int IndexOf(string text)
    {
        var index = fixture.Texts.ToList().IndexOf(text);
        Assert.True(index >= 0, $"{Show(text)} must be among the conformance texts");
        return index;
    }

    public sealed class Fixture : IAsyncLifetime
    {
        public const int Generated = 1500;

        private readonly TempFolder _folder = new();

        public IReadOnlyList<string> Texts { get; } = UnigramConformanceTexts.All(Generated);

        public UnigramTokenizer Tokenizer { get; private set; } = null!;

        public UnigramTokenizer ConvertedTokenizer { get; private set; } = null!;

        internal UnigramTokenizeReference Reference { get; private set; } = null!;

        internal UnigramTokenizeReference ConvertedReference { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var asXlmR = Path.Combine(_folder.Path, "xlm-r");
            var converted = Path.Combine(_folder.Path, "converted");
            XlmRobertaTokenizerFiles.WriteTo(asXlmR);
            XlmRobertaTokenizerFiles.WriteTo(converted);
            WriteConvertedForm(Path.Combine(converted, XlmRobertaTokenizerFiles.TokenizerFileName));
            Tokenizer = UnigramTokenizer.FromFolder(asXlmR);
            ConvertedTokenizer = UnigramTokenizer.FromFolder(converted);
            var cancellationToken = TestContext.Current.CancellationToken;
            Reference = await TransformersJs.Default.UnigramTokenizeAsync(new UnigramTokenizeRequest { Model = asXlmR, Texts = Texts, Length = Length }, cancellationToken);
            ConvertedReference = await TransformersJs.Default.UnigramTokenizeAsync(new UnigramTokenizeRequest { Model = converted, Texts = Texts, Length = Length }, cancellationToken);
        }

        public ValueTask DisposeAsync()
        {
            _folder.Dispose();
            return ValueTask.CompletedTask;
        }

        /// <summary>What transformers' convert_slow_tokenizer writes today for SentencePiece models.</summary>
        private static void WriteConvertedForm(string path)
        {
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            var precompiled = json["normalizer"]!.DeepClone();
            json["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    precompiled,
                    new JsonObject { ["type"] = "Strip", ["strip_left"] = false, ["strip_right"] = true },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["Regex"] = " {2,}" }, ["content"] = "▁" }),
            };
            json["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = true };
            json["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<s>", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
                    new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "</s>", ["type_id"] = 0 } }),
                ["pair"] = new JsonArray(),
                ["special_tokens"] = new JsonObject
                {
                    ["<s>"] = new JsonObject { ["id"] = "<s>", ["ids"] = new JsonArray(0), ["tokens"] = new JsonArray("<s>") },
                    ["</s>"] = new JsonObject { ["id"] = "</s>", ["ids"] = new JsonArray(2), ["tokens"] = new JsonArray("</s>") },
                },
            };
            File.WriteAllText(path, json.ToJsonString());
        }
    }
}
