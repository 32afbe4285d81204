using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.StandInModels;

/// <summary>
/// The openai/clip-vit-base-patch32 tokenizer files of a stand-in: the real <c>vocab.json</c> and <c>merges.txt</c>
/// (copied byte for byte from the repository's <c>models/vocab/clip-vit-base-patch32</c>) and the
/// <c>tokenizer.json</c>, <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c> written from them in the form
/// Hugging Face's CLIPTokenizerFast saves, which transformers.js reads.
/// </summary>
public sealed class ClipTokenizerFiles
{
    public const string VocabFileName = "vocab.json";
    public const string MergesFileName = "merges.txt";
    public const string TokenizerFileName = "tokenizer.json";
    public const string TokenizerConfigFileName = "tokenizer_config.json";
    public const string SpecialTokensMapFileName = "special_tokens_map.json";

    /// <summary>The folder below <c>models/vocab</c> (and <see cref="VocabFiles.Root"/>) that holds the CLIP files.</summary>
    public const string Family = "clip-vit-base-patch32";

    public const string StartOfText = "<|startoftext|>";
    public const string EndOfText = "<|endoftext|>";
    public const int StartOfTextId = 49406;
    public const int EndOfTextId = 49407;
    public const int ExpectedVocabSize = 49408;
    public const int ExpectedMerges = 48894;
    public const int ModelMaxLength = 77;

    /// <summary>openai/CLIP's pre-tokenizer (simple_tokenizer.py), as the Split pre-tokenizer of tokenizer.json.</summary>
    public const string PreTokenizerPattern =
        @"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+";

    private readonly byte[] _vocabBytes;
    private readonly byte[] _mergesBytes;
    private readonly List<KeyValuePair<string, int>> _vocab;
    private readonly List<string> _merges;

    private ClipTokenizerFiles(string folder, byte[] vocabBytes, byte[] mergesBytes, List<KeyValuePair<string, int>> vocab, List<string> merges)
    {
        Folder = folder;
        _vocabBytes = vocabBytes;
        _mergesBytes = mergesBytes;
        _vocab = vocab;
        _merges = merges;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData([.. SHA256.HashData(vocabBytes), .. SHA256.HashData(mergesBytes)]));
    }

    /// <summary>The folder the vocab.json and merges.txt were read from.</summary>
    public string Folder { get; }

    /// <summary>Hash over both source files, part of a stand-in folder's reuse key.</summary>
    public string Sha256 { get; }

    public int VocabCount => _vocab.Count;

    public int MergeCount => _merges.Count;

    /// <summary>
    /// Finds and reads the files. <paramref name="folder"/> may hold vocab.json and merges.txt itself or under
    /// <c>clip-vit-base-patch32/</c> (a folder laid out like <c>models/vocab</c>); null reads the repository's copy
    /// (<see cref="VocabFiles"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder holds neither pair of files.</exception>
    /// <exception cref="InvalidDataException">The files are not the CLIP vocabulary (49408 tokens, 48894 merges).</exception>
    public static ClipTokenizerFiles Load(string? folder = null)
    {
        var source = Locate(folder);
        var vocabBytes = File.ReadAllBytes(Path.Combine(source, VocabFileName));
        var mergesBytes = File.ReadAllBytes(Path.Combine(source, MergesFileName));
        var vocab = ParseVocab(vocabBytes, source);
        var merges = ParseMerges(mergesBytes, source);
        return new ClipTokenizerFiles(source, vocabBytes, mergesBytes, vocab, merges);
    }

    /// <summary>The folder that holds vocab.json and merges.txt (see <see cref="Load"/>).</summary>
    public static string Locate(string? folder = null)
    {
        var full = Path.GetFullPath(folder ?? VocabFiles.Root);
        foreach (var candidate in new[] { full, Path.Combine(full, Family) })
        {
            if (HasFiles(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            $"No CLIP tokenizer files ({VocabFileName} and {MergesFileName}) in '{full}' or in '{Path.Combine(full, Family)}'. " +
            (folder is null
                ? "The build copies them from the repository's models/vocab; rebuild the project."
                : "Point --tokenizer-files at a folder laid out like the repository's models/vocab."));
    }

    /// <summary>Writes the five tokenizer files into <paramref name="folder"/> and returns their paths.</summary>
    public IReadOnlyList<string> WriteTo(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        var tokenizer = Path.Combine(folder, TokenizerFileName);
        File.WriteAllBytes(tokenizer, TokenizerJson());
        var config = StandInFiles.WriteJson(folder, TokenizerConfigFileName, TokenizerConfig());
        var special = StandInFiles.WriteJson(folder, SpecialTokensMapFileName, SpecialTokensMap());
        var vocab = Path.Combine(folder, VocabFileName);
        File.WriteAllBytes(vocab, _vocabBytes);
        var merges = Path.Combine(folder, MergesFileName);
        File.WriteAllBytes(merges, _mergesBytes);
        return [tokenizer, config, special, vocab, merges];
    }

    /// <summary>
    /// tokenizer.json as transformers' CLIPConverter builds it for openai/clip-vit-base-patch32 (tokenizers 1.0 format,
    /// pretty-printed with two spaces like the files on the Hub): NFC + whitespace runs → " " + lowercase; Split on
    /// CLIP's regex keeping the matches (invert) then ByteLevel without its own regex; BPE with "&lt;/w&gt;" end-of-word
    /// suffix; RobertaProcessing with &lt;|startoftext|&gt; … &lt;|endoftext|&gt;; ByteLevel decoder.
    /// </summary>
    public byte[] TokenizerJson()
    {
        var buffer = new ArrayBufferWriter<byte>(2_400_000);
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
            foreach (var (id, content) in new[] { (StartOfTextId, StartOfText), (EndOfTextId, EndOfText) })
            {
                w.WriteStartObject();
                w.WriteNumber("id", id);
                w.WriteString("content", content);
                w.WriteBoolean("single_word", false);
                w.WriteBoolean("lstrip", false);
                w.WriteBoolean("rstrip", false);
                w.WriteBoolean("normalized", true);
                w.WriteBoolean("special", true);
                w.WriteEndObject();
            }

            w.WriteEndArray();

            w.WriteStartObject("normalizer");
            w.WriteString("type", "Sequence");
            w.WriteStartArray("normalizers");
            w.WriteStartObject();
            w.WriteString("type", "NFC");
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("type", "Replace");
            w.WriteStartObject("pattern");
            w.WriteString("Regex", @"\s+");
            w.WriteEndObject();
            w.WriteString("content", " ");
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("type", "Lowercase");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("pre_tokenizer");
            w.WriteString("type", "Sequence");
            w.WriteStartArray("pretokenizers");
            w.WriteStartObject();
            w.WriteString("type", "Split");
            w.WriteStartObject("pattern");
            w.WriteString("Regex", PreTokenizerPattern);
            w.WriteEndObject();
            w.WriteString("behavior", "Removed");
            // invert: the regex matches are the pieces kept; what lies between them (whitespace) is removed.
            w.WriteBoolean("invert", true);
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("type", "ByteLevel");
            w.WriteBoolean("add_prefix_space", false);
            w.WriteBoolean("trim_offsets", true);
            w.WriteBoolean("use_regex", false);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("post_processor");
            w.WriteString("type", "RobertaProcessing");
            w.WriteStartArray("sep");
            w.WriteStringValue(EndOfText);
            w.WriteNumberValue(EndOfTextId);
            w.WriteEndArray();
            w.WriteStartArray("cls");
            w.WriteStringValue(StartOfText);
            w.WriteNumberValue(StartOfTextId);
            w.WriteEndArray();
            w.WriteBoolean("trim_offsets", false);
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
            w.WriteString("unk_token", EndOfText);
            w.WriteString("continuing_subword_prefix", "");
            w.WriteString("end_of_word_suffix", "</w>");
            w.WriteBoolean("fuse_unk", false);
            w.WriteBoolean("byte_fallback", false);
            w.WriteStartObject("vocab");
            foreach (var (token, id) in _vocab)
            {
                w.WriteNumber(token, id);
            }

            w.WriteEndObject();
            // "left right" strings, the format every tokenizers/transformers.js version reads.
            w.WriteStartArray("merges");
            foreach (var merge in _merges)
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

    /// <summary>tokenizer_config.json as transformers (≥ 4.34) saves a CLIPTokenizer(Fast).</summary>
    public static JsonObject TokenizerConfig()
    {
        var decoder = new JsonObject();
        foreach (var (id, content) in new[] { (StartOfTextId, StartOfText), (EndOfTextId, EndOfText) })
        {
            decoder[id.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["content"] = content,
                ["lstrip"] = false,
                ["normalized"] = true,
                ["rstrip"] = false,
                ["single_word"] = false,
                ["special"] = true,
            };
        }

        return new JsonObject
        {
            ["add_prefix_space"] = false,
            ["added_tokens_decoder"] = decoder,
            ["bos_token"] = StartOfText,
            ["clean_up_tokenization_spaces"] = true,
            ["do_lower_case"] = true,
            ["eos_token"] = EndOfText,
            ["errors"] = "replace",
            ["model_max_length"] = ModelMaxLength,
            ["pad_token"] = EndOfText,
            ["tokenizer_class"] = "CLIPTokenizer",
            ["unk_token"] = EndOfText,
        };
    }

    /// <summary>special_tokens_map.json as in openai/clip-vit-base-patch32.</summary>
    public static JsonObject SpecialTokensMap() => new()
    {
        ["bos_token"] = AddedToken(StartOfText),
        ["eos_token"] = AddedToken(EndOfText),
        ["pad_token"] = EndOfText,
        ["unk_token"] = AddedToken(EndOfText),
    };

    private static JsonObject AddedToken(string content) => new()
    {
        ["content"] = content,
        ["lstrip"] = false,
        ["normalized"] = true,
        ["rstrip"] = false,
        ["single_word"] = false,
    };

    private static bool HasFiles(string folder) =>
        File.Exists(Path.Combine(folder, VocabFileName)) && File.Exists(Path.Combine(folder, MergesFileName));

    private static List<KeyValuePair<string, int>> ParseVocab(byte[] bytes, string folder)
    {
        var vocab = new List<KeyValuePair<string, int>>(ExpectedVocabSize);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                vocab.Add(new(property.Name, property.Value.GetInt32()));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{Path.Combine(folder, VocabFileName)} is not a JSON object of token → id: {e.Message}", e);
        }

        if (vocab.Count != ExpectedVocabSize
            || !vocab.Contains(new(StartOfText, StartOfTextId))
            || !vocab.Contains(new(EndOfText, EndOfTextId)))
        {
            throw new InvalidDataException(
                $"{Path.Combine(folder, VocabFileName)} is not the CLIP vocabulary: {vocab.Count} tokens (expected {ExpectedVocabSize}, " +
                $"with {StartOfText}={StartOfTextId} and {EndOfText}={EndOfTextId}).");
        }

        return vocab;
    }

    private static List<string> ParseMerges(byte[] bytes, string folder)
    {
        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        var merges = new List<string>(ExpectedMerges);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            // tokenizers skips the "#version" header and empty lines.
            if ((i == 0 && line.StartsWith("#version", StringComparison.Ordinal)) || line.Length == 0)
            {
                continue;
            }

            merges.Add(line);
        }

        if (merges.Count != ExpectedMerges)
        {
            throw new InvalidDataException(
                $"{Path.Combine(folder, MergesFileName)} is not the CLIP merge list: {merges.Count} merges (expected {ExpectedMerges}).");
        }

        return merges;
    }
}
