using System.Text.Json;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Tokenizers.SentencePiece;

/// <summary>
/// A SentencePiece Unigram tokenizer read from a Hugging Face <c>tokenizer.json</c> (XLM-RoBERTa's, which M-CLIP's text
/// tower uses): added tokens, the normalizer (the precompiled <c>nmt_nfkc</c> charsmap), Metaspace, Viterbi over the
/// pieces, then the template (<c>&lt;s&gt; X &lt;/s&gt;</c>), truncation and padding as Immich's M-CLIP encoder asks for
/// them. The ids are the file's: fairseq's offset (<c>&lt;s&gt;</c> 0, <c>&lt;pad&gt;</c> 1, <c>&lt;/s&gt;</c> 2,
/// <c>&lt;unk&gt;</c> 3, SentencePiece's own ids + 1) is already in its vocabulary. Thread-safe.
/// </summary>
public sealed class UnigramTokenizer
{
    public const string FileName = "tokenizer.json";

    private const string ConfigFileName = "tokenizer_config.json";

    private readonly AddedTokens _added;
    private readonly Func<string, string> _normalize;
    private readonly MetaspacePreTokenizer _preTokenizer;
    private readonly UnigramModel _model;
    private readonly int[] _prefix;
    private readonly int[] _suffix;

    private UnigramTokenizer(AddedTokens added, Func<string, string> normalize, MetaspacePreTokenizer preTokenizer, UnigramModel model, int[] prefix, int[] suffix, int padId)
    {
        _added = added;
        _normalize = normalize;
        _preTokenizer = preTokenizer;
        _model = model;
        _prefix = prefix;
        _suffix = suffix;
        PadId = padId;
    }

    /// <summary>Id of the padding token (<c>tokenizer_config.json</c>'s <c>pad_token</c>, else <c>&lt;pad&gt;</c>).</summary>
    public int PadId { get; }

    public int VocabularySize => _model.Count;

    /// <summary>Whether <paramref name="folder"/>'s tokenizer.json holds a Unigram model (M-CLIP's XLM-R rather than CLIP's BPE).</summary>
    public static bool IsUnigram(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return false;
        }

        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.TryGetProperty("model", out var model)
            && model.TryGetProperty("type", out var type) && type.GetString() == "Unigram";
    }

    /// <exception cref="ModelNotFoundException">The folder has no tokenizer.json.</exception>
    /// <exception cref="InvalidDataException">It is not a Unigram tokenizer this class can apply.</exception>
    public static UnigramTokenizer FromFolder(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new ModelNotFoundException($"No {FileName} in {folder}: the text tower's tokenizer is missing.");
        }

        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var model = root.GetProperty("model");
        if (model.GetProperty("type").GetString() != "Unigram")
        {
            throw new InvalidDataException($"{path} holds a {model.GetProperty("type").GetString()} model, not a SentencePiece Unigram one.");
        }

        if (model.TryGetProperty("byte_fallback", out var fallback) && fallback.GetBoolean())
        {
            throw new InvalidDataException($"{path}: Unigram byte_fallback is not supported.");
        }

        var vocabulary = model.GetProperty("vocab").EnumerateArray()
            .Select(entry => (entry[0].GetString() ?? "", entry[1].GetDouble()))
            .ToList();
        var unigram = new UnigramModel(vocabulary, model.GetProperty("unk_id").GetInt32());
        var added = AddedTokens.FromJson(root.TryGetProperty("added_tokens", out var a) ? a : default);
        var (prefix, suffix) = Template(root.TryGetProperty("post_processor", out var p) ? p : default, added, unigram);
        var padToken = PadToken(folder) ?? "<pad>";
        var padId = added.IdOf(padToken) ?? unigram.IdOf(padToken)
            ?? throw new InvalidDataException($"{path} has no id for the padding token '{padToken}'.");
        return new UnigramTokenizer(
            added,
            TextNormalizer.FromJson(root.TryGetProperty("normalizer", out var n) ? n : default),
            MetaspacePreTokenizer.FromJson(root.GetProperty("pre_tokenizer")),
            unigram,
            prefix,
            suffix,
            padId);
    }

    /// <summary>The ids of <paramref name="text"/> between the template's special tokens, neither truncated nor padded.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. _prefix, .. EncodeContent(text), .. _suffix];
    }

    /// <summary>
    /// Exactly <paramref name="length"/> ids and their attention mask: content cut so the template's tokens still fit
    /// (the end token stays last), then padding with mask 0.
    /// </summary>
    public (int[] Ids, int[] Mask) EncodePadded(string text, int length)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, _prefix.Length + _suffix.Length);
        var content = EncodeContent(text);
        var kept = Math.Min(content.Count, length - _prefix.Length - _suffix.Length);
        var ids = new int[length];
        var mask = new int[length];
        Array.Fill(ids, PadId);
        _prefix.CopyTo(ids, 0);
        content.CopyTo(0, ids, _prefix.Length, kept);
        _suffix.CopyTo(ids, _prefix.Length + kept);
        mask.AsSpan(0, _prefix.Length + kept + _suffix.Length).Fill(1);
        return (ids, mask);
    }

    /// <summary>What the tokenizer.json's normalizer makes of <paramref name="text"/> (for conformance tests).</summary>
    internal string Normalize(string text) => _normalize(text);

    private List<int> EncodeContent(string text)
    {
        var ids = new List<int>();
        var first = true;
        foreach (var (part, addedId) in _added.Split(text))
        {
            if (addedId is { } id)
            {
                ids.Add(id);
            }
            else
            {
                foreach (var preToken in _preTokenizer.Split(_normalize(part), first))
                {
                    _model.Encode(preToken, ids);
                }
            }

            first = false;
        }

        return ids;
    }

    /// <summary>RobertaProcessing (<c>cls</c>, <c>sep</c>) or a TemplateProcessing <c>single</c> of specials around <c>$A</c>.</summary>
    private static (int[] Prefix, int[] Suffix) Template(JsonElement postProcessor, AddedTokens added, UnigramModel model)
    {
        if (postProcessor.ValueKind != JsonValueKind.Object)
        {
            return ([], []);
        }

        var type = postProcessor.GetProperty("type").GetString();
        if (type is "RobertaProcessing" or "BertProcessing")
        {
            return ([postProcessor.GetProperty("cls")[1].GetInt32()], [postProcessor.GetProperty("sep")[1].GetInt32()]);
        }

        if (type != "TemplateProcessing")
        {
            throw new NotSupportedException($"tokenizer.json post_processor '{type}' is not supported (RobertaProcessing, TemplateProcessing are).");
        }

        var prefix = new List<int>();
        var suffix = new List<int>();
        var seenSequence = false;
        foreach (var piece in postProcessor.GetProperty("single").EnumerateArray())
        {
            if (piece.TryGetProperty("Sequence", out _))
            {
                seenSequence = true;
                continue;
            }

            var token = piece.GetProperty("SpecialToken").GetProperty("id").GetString()!;
            var ids = postProcessor.TryGetProperty("special_tokens", out var specials) && specials.TryGetProperty(token, out var special)
                ? special.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray()
                : [added.IdOf(token) ?? model.IdOf(token) ?? throw new InvalidDataException($"The template's token '{token}' has no id.")];
            (seenSequence ? suffix : prefix).AddRange(ids);
        }

        return (prefix.ToArray(), suffix.ToArray());
    }

    private static string? PadToken(string folder)
    {
        var path = Path.Combine(folder, ConfigFileName);
        if (!File.Exists(path))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.TryGetProperty("pad_token", out var pad) switch
        {
            true when pad.ValueKind == JsonValueKind.String => pad.GetString(),
            true when pad.ValueKind == JsonValueKind.Object && pad.TryGetProperty("content", out var content) => content.GetString(),
            _ => null,
        };
    }
}
