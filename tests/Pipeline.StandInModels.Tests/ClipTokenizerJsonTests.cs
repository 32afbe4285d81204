using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pipeline.StandInModels.Tests;

/// <summary>
/// Runs the written tokenizer.json through a small interpreter of the Hugging Face tokenizer format that follows
/// transformers.js' reading of each field (normalizer, Split with invert/behavior, ByteLevel, BPE with end-of-word
/// suffix, RobertaProcessing), so a field with the wrong meaning shows up as wrong ids.
/// </summary>
public sealed class ClipTokenizerJsonTests(ClipStandInFixture fixture) : IClassFixture<ClipStandInFixture>
{
    [Theory]
    [InlineData("a photo of a cat", new[] { 49406, 320, 1125, 539, 320, 2368, 49407 })]
    [InlineData("How are you doing?", new[] { 49406, 829, 631, 592, 1960, 286, 49407 })]
    [InlineData("Hello world", new[] { 49406, 3306, 1002, 49407 })]
    [InlineData("A man riding a wave on top of a surfboard.", new[] { 49406, 320, 786, 6765, 320, 4535, 525, 1253, 539, 320, 10176, 1972, 269, 49407 })]
    [InlineData("don't stop 123 4567", new[] { 49406, 847, 713, 1691, 272, 273, 274, 275, 276, 277, 278, 49407 })]
    [InlineData("The company was founded in 2016.", new[] { 49406, 518, 2634, 739, 12240, 530, 273, 271, 272, 277, 269, 49407 })]
    [InlineData("  A\tPHOTO \n of   a CAT ", new[] { 49406, 320, 1125, 539, 320, 2368, 49407 })]
    public void TokenizerJsonEncodesLikeClip(string text, int[] expected)
    {
        var tokenizer = new TokenizerJsonInterpreter(File.ReadAllBytes(Path.Combine(fixture.XenovaFolder, "tokenizer.json")));

        Assert.Equal(expected, tokenizer.Encode(text));
    }

    /// <summary>The subset of the tokenizers JSON format that CLIP uses, read the way transformers.js reads it.</summary>
    private sealed class TokenizerJsonInterpreter
    {
        private readonly Dictionary<string, int> _added = new(StringComparer.Ordinal);
        private readonly List<Func<string, string>> _normalizers = [];
        private readonly List<Func<List<string>, List<string>>> _preTokenizers = [];
        private readonly Dictionary<string, int> _vocab = new(StringComparer.Ordinal);
        private readonly Dictionary<(string, string), int> _ranks = [];
        private readonly string _suffix;
        private readonly int? _unk;
        private readonly int? _cls;
        private readonly int? _sep;

        public TokenizerJsonInterpreter(byte[] json)
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            foreach (var token in root.GetProperty("added_tokens").EnumerateArray())
            {
                _added[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
            }

            foreach (var normalizer in Flatten(root.GetProperty("normalizer"), "normalizers"))
            {
                _normalizers.Add(Normalizer(normalizer));
            }

            foreach (var pre in Flatten(root.GetProperty("pre_tokenizer"), "pretokenizers"))
            {
                _preTokenizers.Add(PreTokenizer(pre));
            }

            var model = root.GetProperty("model");
            Assert.Equal("BPE", model.GetProperty("type").GetString());
            foreach (var entry in model.GetProperty("vocab").EnumerateObject())
            {
                _vocab[entry.Name] = entry.Value.GetInt32();
            }

            var rank = 0;
            foreach (var merge in model.GetProperty("merges").EnumerateArray())
            {
                var parts = merge.ValueKind == JsonValueKind.String
                    ? merge.GetString()!.Split(' ', 2)
                    : merge.EnumerateArray().Select(p => p.GetString()!).ToArray();
                _ranks.TryAdd((parts[0], parts[1]), rank++);
            }

            _suffix = model.TryGetProperty("end_of_word_suffix", out var suffix) && suffix.ValueKind == JsonValueKind.String ? suffix.GetString()! : "";
            _unk = model.TryGetProperty("unk_token", out var unk) && unk.ValueKind == JsonValueKind.String ? _vocab[unk.GetString()!] : null;

            var post = root.GetProperty("post_processor");
            if (post.ValueKind == JsonValueKind.Object)
            {
                Assert.Equal("RobertaProcessing", post.GetProperty("type").GetString());
                _cls = _vocab[post.GetProperty("cls")[0].GetString()!];
                _sep = _vocab[post.GetProperty("sep")[0].GetString()!];
            }
        }

        public int[] Encode(string text)
        {
            var ids = new List<int>();
            var splitter = new Regex(string.Join('|', _added.Keys.OrderByDescending(k => k.Length).Select(Regex.Escape)));
            var position = 0;
            foreach (Match match in splitter.Matches(text))
            {
                ids.AddRange(EncodeSection(text[position..match.Index]));
                ids.Add(_added[match.Value]);
                position = match.Index + match.Length;
            }

            ids.AddRange(EncodeSection(text[position..]));
            return _cls is null ? [.. ids] : [_cls.Value, .. ids, _sep!.Value];
        }

        private IEnumerable<int> EncodeSection(string text)
        {
            text = _normalizers.Aggregate(text, (current, normalize) => normalize(current));
            if (text.Length == 0)
            {
                return [];
            }

            var pieces = _preTokenizers.Aggregate(new List<string> { text }, (current, pre) => pre(current));
            return pieces.SelectMany(Bpe).Select(t => _vocab.TryGetValue(t, out var id) ? id : _unk ?? throw new KeyNotFoundException(t));
        }

        private List<string> Bpe(string piece)
        {
            var word = new List<string>();
            var enumerator = StringInfo.GetTextElementEnumerator(piece);
            while (enumerator.MoveNext())
            {
                word.Add(enumerator.GetTextElement());
            }

            word[^1] += _suffix;
            while (word.Count > 1)
            {
                var best = -1;
                var bestRank = int.MaxValue;
                for (var i = 0; i < word.Count - 1; i++)
                {
                    if (_ranks.TryGetValue((word[i], word[i + 1]), out var rank) && rank < bestRank)
                    {
                        best = i;
                        bestRank = rank;
                    }
                }

                if (best < 0)
                {
                    break;
                }

                var (left, right) = (word[best], word[best + 1]);
                var merged = new List<string>(word.Count);
                for (var i = 0; i < word.Count; i++)
                {
                    if (i < word.Count - 1 && word[i] == left && word[i + 1] == right)
                    {
                        merged.Add(left + right);
                        i++;
                    }
                    else
                    {
                        merged.Add(word[i]);
                    }
                }

                word = merged;
            }

            return word;
        }

        private static List<JsonElement> Flatten(JsonElement element, string listName) =>
            element.ValueKind != JsonValueKind.Object ? []
            : element.GetProperty("type").GetString() == "Sequence" ? [.. element.GetProperty(listName).EnumerateArray()]
            : [element];

        private static Func<string, string> Normalizer(JsonElement n)
        {
            switch (n.GetProperty("type").GetString())
            {
                case "NFC":
                    return s => s.Normalize(NormalizationForm.FormC);
                case "Lowercase":
                    return s => s.ToLowerInvariant();
                case "Replace":
                    var content = n.GetProperty("content").GetString()!;
                    var pattern = n.GetProperty("pattern");
                    if (pattern.TryGetProperty("Regex", out var regex))
                    {
                        var compiled = new Regex(regex.GetString()!);
                        return s => compiled.Replace(s, content.Replace("$", "$$", StringComparison.Ordinal));
                    }

                    var literal = pattern.GetProperty("String").GetString()!;
                    return s => s.Replace(literal, content, StringComparison.Ordinal);
                default:
                    throw new NotSupportedException(n.GetRawText());
            }
        }

        private static Func<List<string>, List<string>> PreTokenizer(JsonElement p)
        {
            switch (p.GetProperty("type").GetString())
            {
                case "Split":
                    var regex = new Regex(p.GetProperty("pattern").GetProperty("Regex").GetString()!);
                    var invert = p.GetProperty("invert").GetBoolean();
                    var behavior = p.GetProperty("behavior").GetString();
                    return pieces => pieces.SelectMany(piece =>
                        invert ? regex.Matches(piece).Select(m => m.Value)
                        : behavior == "Removed" ? regex.Split(piece).Where(s => s.Length > 0)
                        : throw new NotSupportedException(behavior)).ToList();
                case "ByteLevel":
                    var addPrefixSpace = p.GetProperty("add_prefix_space").GetBoolean();
                    var useRegex = !p.TryGetProperty("use_regex", out var ur) || ur.GetBoolean();
                    var gpt2 = new Regex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+");
                    var bytes = ByteToUnicode();
                    return pieces => pieces.SelectMany(piece =>
                    {
                        if (addPrefixSpace && !piece.StartsWith(' '))
                        {
                            piece = " " + piece;
                        }

                        var parts = useRegex ? gpt2.Matches(piece).Select(m => m.Value) : [piece];
                        return parts.Select(part => string.Concat(Encoding.UTF8.GetBytes(part).Select(b => bytes[b])));
                    }).ToList();
                default:
                    throw new NotSupportedException(p.GetRawText());
            }
        }

        /// <summary>GPT-2's bytes_to_unicode.</summary>
        private static char[] ByteToUnicode()
        {
            var map = new char[256];
            var extra = 0;
            for (var b = 0; b < 256; b++)
            {
                var printable = b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';
                map[b] = printable ? (char)b : (char)(256 + extra++);
            }

            return map;
        }
    }
}
