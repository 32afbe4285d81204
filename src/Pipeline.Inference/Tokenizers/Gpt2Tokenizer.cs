using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Tokenizers;

/// <summary>
/// GPT-2 byte-level BPE (the decoder tokenizer of Xenova/vit-gpt2-image-captioning and Mozilla/distilvit), read from a
/// model folder's <c>vocab.json</c> and <c>merges.txt</c>. Encoding runs Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>
/// with GPT-2's pre-tokenizer regex; decoding maps ids back to bytes itself so that captions decode exactly like
/// transformers.js' image-to-text pipeline. Thread-safe: one instance serves concurrent batches.
/// Known limit of encoding (captioners only decode): the .NET regex sees UTF-16 units, so letters/digits outside the BMP
/// (e.g. 𝐀, CJK extension B) fall into the punctuation class and may pre-tokenize differently from Hugging Face.
/// </summary>
public sealed class Gpt2Tokenizer
{
    /// <summary>GPT-2's pre-tokenizer (OpenAI encoder.py, Hugging Face ByteLevel pre-tokenizer).</summary>
    public const string PreTokenizerPattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>The only special token of GPT-2: BOS, EOS, UNK and PAD at once.</summary>
    public const string EndOfTextToken = "<|endoftext|>";

    private const string TokenizerConfigFileName = "tokenizer_config.json";

    private readonly BpeTokenizer _bpe;
    private readonly string?[] _idToToken;
    private readonly HashSet<int> _specialIds;

    private Gpt2Tokenizer(BpeModelFiles files, bool cleanUpTokenizationSpaces)
    {
        EndOfTextId = files.RequiredId(EndOfTextToken);
        VocabSize = files.Vocabulary.Count;
        CleanUpTokenizationSpaces = cleanUpTokenizationSpaces;
        _idToToken = files.ReverseVocabulary();

        var specials = new Dictionary<string, int>(StringComparer.Ordinal) { [EndOfTextToken] = EndOfTextId };
        _specialIds = [.. specials.Values];
        var regex = new Regex(PreTokenizerPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
        _bpe = BpeTokenizer.Create(new BpeOptions(files.Vocabulary)
        {
            Merges = files.Merges,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(regex, specials),
            SpecialTokens = specials,
        });
    }

    /// <summary>Id of <c>&lt;|endoftext|&gt;</c> (50256 for GPT-2), read from the vocabulary.</summary>
    public int EndOfTextId { get; }

    /// <summary>Number of tokens in <c>vocab.json</c> (50257 for GPT-2).</summary>
    public int VocabSize { get; }

    /// <summary>
    /// Whether <see cref="Decode"/> removes the spaces English tokenization leaves before punctuation and contractions
    /// (" ." → ".", " 's" → "'s", …) as transformers.js does when <c>clean_up_tokenization_spaces</c> is true — its
    /// default, and the value in Xenova/vit-gpt2-image-captioning's tokenizer_config.json.
    /// </summary>
    public bool CleanUpTokenizationSpaces { get; }

    /// <summary>
    /// Loads <c>vocab.json</c> and <c>merges.txt</c> from a model folder; <c>clean_up_tokenization_spaces</c> comes from
    /// its <c>tokenizer_config.json</c> when there is one (true otherwise).
    /// </summary>
    /// <exception cref="ModelNotFoundException">A file is missing, unreadable or malformed.</exception>
    public static Gpt2Tokenizer FromFolder(string folder)
    {
        var files = BpeModelFiles.FromFolder(folder);
        try
        {
            return new Gpt2Tokenizer(files, ReadCleanUpSetting(Path.Combine(folder, TokenizerConfigFileName)));
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or JsonException or IOException)
        {
            throw new ModelNotFoundException($"The GPT-2 tokenizer in {folder} could not be loaded: {e.Message}", e);
        }
    }

    /// <summary>Loads the tokenizer from the contents of <c>vocab.json</c> and <c>merges.txt</c>.</summary>
    /// <exception cref="InvalidDataException">The files are malformed or lack <c>&lt;|endoftext|&gt;</c>.</exception>
    public static Gpt2Tokenizer FromStreams(Stream vocabJson, Stream mergesTxt, bool cleanUpTokenizationSpaces = true)
    {
        var files = BpeModelFiles.FromStreams(vocabJson, mergesTxt);
        try
        {
            return new Gpt2Tokenizer(files, cleanUpTokenizationSpaces);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"{BpeModelFiles.MergesFileName} does not fit {BpeModelFiles.VocabFileName}: {e.Message}", e);
        }
    }

    /// <summary>Token ids of <paramref name="text"/>, without added BOS/EOS (GPT-2 adds none). <c>&lt;|endoftext|&gt;</c> in the text is the special token.</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? [] : _bpe.EncodeToIds(text);
    }

    /// <summary>
    /// Text of a generated sequence as transformers.js' image-to-text pipeline returns it: special tokens skipped
    /// (by default), the byte-level tokens joined into bytes and decoded as UTF-8 (invalid sequences become U+FFFD),
    /// tokenization spaces cleaned up (see <see cref="CleanUpTokenizationSpaces"/>), then trimmed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in the vocabulary.</exception>
    public string Decode(IEnumerable<long> ids, bool skipSpecialTokens = true)
    {
        var decoded = ByteLevel.Decode(ids, _idToToken, _specialIds, skipSpecialTokens);
        if (CleanUpTokenizationSpaces)
        {
            decoded = CleanUpTokenization(decoded);
        }

        return decoded.Trim();
    }

    /// <summary>transformers.js/transformers' <c>clean_up_tokenization</c>.</summary>
    internal static string CleanUpTokenization(string text)
        => text.Replace(" .", ".", StringComparison.Ordinal)
            .Replace(" ?", "?", StringComparison.Ordinal)
            .Replace(" !", "!", StringComparison.Ordinal)
            .Replace(" ,", ",", StringComparison.Ordinal)
            .Replace(" ' ", "'", StringComparison.Ordinal)
            .Replace(" n't", "n't", StringComparison.Ordinal)
            .Replace(" 'm", "'m", StringComparison.Ordinal)
            .Replace(" 's", "'s", StringComparison.Ordinal)
            .Replace(" 've", "'ve", StringComparison.Ordinal)
            .Replace(" 're", "'re", StringComparison.Ordinal);

    private static bool ReadCleanUpSetting(string configPath)
    {
        if (!File.Exists(configPath))
        {
            return true;
        }

        using var stream = File.OpenRead(configPath);
        using var config = JsonDocument.Parse(stream);
        return config.RootElement.ValueKind != JsonValueKind.Object
            || !config.RootElement.TryGetProperty("clean_up_tokenization_spaces", out var value)
            || value.ValueKind != JsonValueKind.False;
    }
}
