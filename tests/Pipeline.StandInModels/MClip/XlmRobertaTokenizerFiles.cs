using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.StandInModels.MClip;

/// <summary>
/// A generated XLM-RoBERTa tokenizer in the real files' shape (tokenizer.json with a SentencePiece Unigram model,
/// the real <c>nmt_nfkc</c> charsmap from models/vocab/xlm-roberta, Metaspace, RobertaProcessing; tokenizer_config.json;
/// special_tokens_map.json): fairseq's specials first (<c>&lt;s&gt;</c> 0, <c>&lt;pad&gt;</c> 1, <c>&lt;/s&gt;</c> 2,
/// <c>&lt;unk&gt;</c> 3), then pieces for Korean, Chinese, Japanese, Latin, Cyrillic and emoji, <c>&lt;mask&gt;</c>
/// last. Its pieces and scores are made up, so its ids are not XLM-R's; the structure and the normalizer are.
/// </summary>
public static class XlmRobertaTokenizerFiles
{
    public const string Family = "xlm-roberta";
    public const string TokenizerFileName = "tokenizer.json";
    public const string TokenizerConfigFileName = "tokenizer_config.json";
    public const string SpecialTokensMapFileName = "special_tokens_map.json";
    public const string CharsMapFileName = "nmt_nfkc_precompiled_normalizer.json";
    public const string Mask = "<mask>";

    private static readonly string[] Specials = ["<s>", "<pad>", "</s>", "<unk>"];

    public static IReadOnlyList<string> FileNames { get; } = [TokenizerFileName, TokenizerConfigFileName, SpecialTokensMapFileName];

    /// <summary>The pieces and their log-probabilities, in id order (specials and mask score 0, as in XLM-R's file).</summary>
    public static IReadOnlyList<(string Piece, double Score)> Vocabulary { get; } = BuildVocabulary();

    /// <summary>The charsmap file this generator reads (its hash goes into reuse keys).</summary>
    public static string CharsMapPath(string? vocabRoot = null) =>
        Path.Combine(vocabRoot is null ? VocabFiles.Folder(Family) : Path.Combine(vocabRoot, Family), CharsMapFileName);

    /// <summary>Writes the three tokenizer files into <paramref name="folder"/> and returns their paths.</summary>
    public static IReadOnlyList<string> WriteTo(string folder, string? vocabRoot = null)
    {
        Directory.CreateDirectory(folder);
        var charsMap = JsonNode.Parse(File.ReadAllText(CharsMapPath(vocabRoot)))!["normalizer"]!.DeepClone();
        var maskId = Vocabulary.Count - 1;
        var added = new JsonArray();
        foreach (var (content, id) in Specials.Select((s, i) => (s, i)).Append((Mask, maskId)))
        {
            added.Add(new JsonObject
            {
                ["id"] = id,
                ["content"] = content,
                ["single_word"] = false,
                ["lstrip"] = content == Mask,
                ["rstrip"] = false,
                ["normalized"] = false,
                ["special"] = true,
            });
        }

        var vocab = new JsonArray();
        foreach (var (piece, score) in Vocabulary)
        {
            vocab.Add(new JsonArray(piece, score));
        }

        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = charsMap,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["add_prefix_space"] = true },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "RobertaProcessing",
                ["sep"] = new JsonArray("</s>", 2),
                ["cls"] = new JsonArray("<s>", 0),
                ["trim_offsets"] = true,
                ["add_prefix_space"] = true,
            },
            ["decoder"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["add_prefix_space"] = true },
            ["model"] = new JsonObject { ["type"] = "Unigram", ["unk_id"] = 3, ["vocab"] = vocab },
        };
        var config = new JsonObject
        {
            ["bos_token"] = "<s>",
            ["cls_token"] = "<s>",
            ["eos_token"] = "</s>",
            ["mask_token"] = new JsonObject { ["content"] = Mask, ["lstrip"] = true, ["normalized"] = true, ["rstrip"] = false, ["single_word"] = false, ["__type"] = "AddedToken" },
            ["model_max_length"] = 512,
            ["pad_token"] = "<pad>",
            ["sep_token"] = "</s>",
            ["tokenizer_class"] = "XLMRobertaTokenizer",
            ["unk_token"] = "<unk>",
        };
        var map = new JsonObject
        {
            ["bos_token"] = "<s>",
            ["cls_token"] = "<s>",
            ["eos_token"] = "</s>",
            ["mask_token"] = new JsonObject { ["content"] = Mask, ["lstrip"] = true, ["normalized"] = false, ["rstrip"] = false, ["single_word"] = false },
            ["pad_token"] = "<pad>",
            ["sep_token"] = "</s>",
            ["unk_token"] = "<unk>",
        };
        return
        [
            StandInFiles.WriteJson(folder, TokenizerFileName, tokenizer),
            StandInFiles.WriteJson(folder, TokenizerConfigFileName, config),
            StandInFiles.WriteJson(folder, SpecialTokensMapFileName, map),
        ];
    }

    /// <summary>Hash of what the files depend on: the vocabulary and the charsmap.</summary>
    public static string SourceHash(string? vocabRoot = null)
    {
        var text = new StringBuilder(File.ReadAllText(CharsMapPath(vocabRoot)));
        foreach (var (piece, score) in Vocabulary)
        {
            text.Append(piece).Append('\t').Append(score.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static List<(string Piece, double Score)> BuildVocabulary()
    {
        var pieces = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string piece)
        {
            if (piece.Length > 0 && seen.Add(piece))
            {
                pieces.Add(piece);
            }
        }

        Add("▁");
        foreach (var punctuation in new[] { ",", ".", "!", "?", "'", "\"", "-", "(", ")", ":", ";", "/", "~", "，", "。", "、", "！", "？", "「", "」", "・" })
        {
            Add(punctuation);
        }

        foreach (var c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèêëáàâäãåçñöôóüúßíïабвгдеёжзийклмнопрстуфхцчшщъыьэюяЁ")
        {
            Add(c.ToString());
        }

        // Conjoining jamo: what NFKC makes of compatibility jamo (ㄱ → ᄀ); the charsmap's answer may differ.
        for (var c = 0x1100; c <= 0x1112; c++)
        {
            Add(((char)c).ToString());
        }

        for (var c = 0x1161; c <= 0x1175; c++)
        {
            Add(((char)c).ToString());
        }

        for (var c = 0x3041; c <= 0x3096; c++)
        {
            Add(((char)c).ToString());
        }

        for (var c = 0x30A1; c <= 0x30FC; c++)
        {
            Add(((char)c).ToString());
        }

        foreach (var word in MultilingualWords.All)
        {
            foreach (var rune in word.EnumerateRunes())
            {
                Add(rune.ToString());
            }

            Add(word);
            Add("▁" + word);
            if (word.Length > 3 && !word.Any(char.IsSurrogate))
            {
                Add("▁" + word[..2]);
                Add(word[2..]);
            }
        }

        // Scores as SentencePiece writes them (negative log-probabilities): words usually beat their letters, not always.
        var vocabulary = Specials.Select(s => (s, 0.0)).ToList();
        foreach (var piece in pieces)
        {
            var isLetter = piece.EnumerateRunes().Count() == 1;
            var spread = Uniform(piece);
            vocabulary.Add((piece, Math.Round(isLetter ? -7.5 - (4 * spread) : -3.0 - (5 * spread), 6)));
        }

        vocabulary.Add((Mask, 0.0));
        return vocabulary;
    }

    private static double Uniform(string piece)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(piece));
        return BitConverter.ToUInt32(hash, 0) / (double)uint.MaxValue;
    }
}
