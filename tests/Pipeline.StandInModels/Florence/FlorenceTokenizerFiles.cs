using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.StandInModels.Florence;

/// <summary>
/// Florence-2's tokenizer files: BART's real <c>vocab.json</c> and <c>merges.txt</c> (copied from the repository's
/// <c>models/vocab/bart</c>), and <c>tokenizer.json</c>, <c>tokenizer_config.json</c>, <c>special_tokens_map.json</c> and
/// <c>added_tokens.json</c> written from them the way transformers saves BartTokenizerFast after Florence2Processor has
/// added its 1,024 special tokens.
/// </summary>
public static class FlorenceTokenizerFiles
{
    public const string VocabFileName = "vocab.json";
    public const string MergesFileName = "merges.txt";
    public const string TokenizerFileName = "tokenizer.json";
    public const string TokenizerConfigFileName = "tokenizer_config.json";
    public const string SpecialTokensMapFileName = "special_tokens_map.json";
    public const string AddedTokensFileName = "added_tokens.json";

    public const int ModelMaxLength = 1024;

    /// <summary>Writes the six files into <paramref name="folder"/>; returns their paths in that order.</summary>
    public static IReadOnlyList<string> Write(string sourceFiles, string folder)
    {
        var bart = Path.Combine(sourceFiles, FlorenceFiles.TokenizerFolder);
        var tokenizer = Path.Combine(folder, TokenizerFileName);
        File.WriteAllBytes(tokenizer, TokenizerJson(
            File.ReadAllBytes(Path.Combine(bart, VocabFileName)), File.ReadAllText(Path.Combine(bart, MergesFileName), Encoding.UTF8)));
        return
        [
            tokenizer,
            StandInFiles.WriteJson(folder, TokenizerConfigFileName, TokenizerConfig()),
            StandInFiles.WriteJson(folder, SpecialTokensMapFileName, SpecialTokensMap()),
            StandInFiles.WriteJson(folder, AddedTokensFileName, AddedTokensJson()),
            StandInFiles.Copy(Path.Combine(bart, VocabFileName), folder, VocabFileName),
            StandInFiles.Copy(Path.Combine(bart, MergesFileName), folder, MergesFileName),
        ];
    }

    /// <summary>BART's specials, then the Florence-2 tokens: every token that is not a plain BPE piece.</summary>
    public static IEnumerable<(int Id, string Content)> SpecialTokens() =>
        FlorenceTokens.BartSpecials.Concat(FlorenceTokens.AddedTokens.Select((token, i) => (FlorenceTokens.FirstAddedId + i, token)));

    /// <summary>
    /// tokenizer.json (tokenizers 1.0 format): BPE over BART's vocab and merges (vocab in id order, merges as "a b"),
    /// ByteLevel pre-tokenizer without a prefix space, RobertaProcessing &lt;s&gt; … &lt;/s&gt;, ByteLevel decoder, and
    /// every special token in added_tokens.
    /// </summary>
    public static byte[] TokenizerJson(byte[] vocabJson, string merges)
    {
        ArgumentNullException.ThrowIfNull(merges);
        using var vocabDocument = JsonDocument.Parse(vocabJson);
        var vocab = vocabDocument.RootElement.EnumerateObject()
            .Select(p => (Token: p.Name, Id: p.Value.GetInt32()))
            .OrderBy(p => p.Id)
            .ToList();
        var mergeLines = merges.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.Length > 0 && !line.StartsWith("#version", StringComparison.Ordinal))
            .ToList();

        var buffer = new ArrayBufferWriter<byte>(3_000_000);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            IndentSize = 2,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            w.WriteStartObject();
            w.WriteString("version", "1.0");
            w.WriteNull("truncation");
            w.WriteNull("padding");
            w.WriteStartArray("added_tokens");
            foreach (var (id, content) in SpecialTokens())
            {
                var token = AddedToken(id, content);
                w.WriteStartObject();
                w.WriteNumber("id", id);
                w.WriteString("content", content);
                w.WriteBoolean("single_word", false);
                w.WriteBoolean("lstrip", token.LeftStrip);
                w.WriteBoolean("rstrip", false);
                w.WriteBoolean("normalized", token.Normalized);
                w.WriteBoolean("special", true);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNull("normalizer");
            w.WriteStartObject("pre_tokenizer");
            w.WriteString("type", "ByteLevel");
            w.WriteBoolean("add_prefix_space", false);
            w.WriteBoolean("trim_offsets", true);
            w.WriteBoolean("use_regex", true);
            w.WriteEndObject();
            w.WriteStartObject("post_processor");
            w.WriteString("type", "RobertaProcessing");
            w.WriteStartArray("sep");
            w.WriteStringValue("</s>");
            w.WriteNumberValue(FlorenceDimensions.EndOfSequenceId);
            w.WriteEndArray();
            w.WriteStartArray("cls");
            w.WriteStringValue("<s>");
            w.WriteNumberValue(FlorenceDimensions.BeginningOfSequenceId);
            w.WriteEndArray();
            w.WriteBoolean("trim_offsets", true);
            w.WriteBoolean("add_prefix_space", false);
            w.WriteEndObject();
            w.WriteStartObject("decoder");
            w.WriteString("type", "ByteLevel");
            w.WriteBoolean("add_prefix_space", true);
            w.WriteBoolean("trim_offsets", true);
            w.WriteBoolean("use_regex", true);
            w.WriteEndObject();
            w.WriteStartObject("model");
            w.WriteString("type", "BPE");
            w.WriteNull("dropout");
            w.WriteNull("unk_token");
            w.WriteString("continuing_subword_prefix", "");
            w.WriteString("end_of_word_suffix", "");
            w.WriteBoolean("fuse_unk", false);
            w.WriteBoolean("byte_fallback", false);
            w.WriteStartObject("vocab");
            foreach (var (token, id) in vocab)
            {
                w.WriteNumber(token, id);
            }

            w.WriteEndObject();
            w.WriteStartArray("merges");
            foreach (var merge in mergeLines)
            {
                w.WriteStringValue(merge);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>tokenizer_config.json as transformers (≥ 4.34) saves Florence-2's BartTokenizer(Fast).</summary>
    public static JsonObject TokenizerConfig()
    {
        var decoder = new JsonObject();
        foreach (var (id, content) in SpecialTokens())
        {
            var token = AddedToken(id, content);
            decoder[id.ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["content"] = content,
                ["lstrip"] = token.LeftStrip,
                ["normalized"] = token.Normalized,
                ["rstrip"] = false,
                ["single_word"] = false,
                ["special"] = true,
            };
        }

        return new JsonObject
        {
            ["add_prefix_space"] = false,
            ["added_tokens_decoder"] = decoder,
            ["additional_special_tokens"] = new JsonArray([.. FlorenceTokens.AddedTokens.Select(t => (JsonNode)t)]),
            ["bos_token"] = "<s>",
            ["clean_up_tokenization_spaces"] = true,
            ["cls_token"] = "<s>",
            ["eos_token"] = "</s>",
            ["errors"] = "replace",
            ["mask_token"] = "<mask>",
            ["model_max_length"] = ModelMaxLength,
            ["pad_token"] = "<pad>",
            ["processor_class"] = "Florence2Processor",
            ["sep_token"] = "</s>",
            ["tokenizer_class"] = "BartTokenizer",
            ["trim_offsets"] = true,
            ["unk_token"] = "<unk>",
        };
    }

    /// <summary>special_tokens_map.json: BART's roles and the added tokens as additional specials.</summary>
    public static JsonObject SpecialTokensMap()
    {
        JsonObject Entry(string content, bool leftStrip = false, bool normalized = false) => new()
        {
            ["content"] = content,
            ["lstrip"] = leftStrip,
            ["normalized"] = normalized,
            ["rstrip"] = false,
            ["single_word"] = false,
        };

        return new JsonObject
        {
            ["additional_special_tokens"] = new JsonArray([.. FlorenceTokens.AddedTokens.Select(t => (JsonNode)Entry(t))]),
            ["bos_token"] = Entry("<s>", normalized: true),
            ["cls_token"] = Entry("<s>", normalized: true),
            ["eos_token"] = Entry("</s>", normalized: true),
            ["mask_token"] = Entry("<mask>", leftStrip: true, normalized: true),
            ["pad_token"] = Entry("<pad>", normalized: true),
            ["sep_token"] = Entry("</s>", normalized: true),
            ["unk_token"] = Entry("<unk>", normalized: true),
        };
    }

    /// <summary>added_tokens.json: token → id of the tokens beyond BART's vocabulary.</summary>
    public static JsonObject AddedTokensJson()
    {
        var map = new JsonObject();
        for (var i = 0; i < FlorenceTokens.AddedTokens.Count; i++)
        {
            map[FlorenceTokens.AddedTokens[i]] = FlorenceTokens.FirstAddedId + i;
        }

        return map;
    }

    // BART's own specials are "normalized" in its tokenizer.json and <mask> swallows the space before it (lstrip);
    // the tokens Florence2Processor adds are neither.
    private static (bool LeftStrip, bool Normalized) AddedToken(int id, string content) =>
        (content == "<mask>", id < FlorenceTokens.FirstAddedId && content != "<mask>");
}
