using System.Text.Json;

namespace Pipeline.Inference.Tokenizers.SentencePiece;

/// <summary>
/// SentencePiece's whitespace handling (tokenizer.json <c>Metaspace</c>, optionally after <c>WhitespaceSplit</c> in a
/// <c>Sequence</c>): spaces become <c>▁</c>, a <c>▁</c> is put in front as the prepend scheme says, and the text splits
/// before each <c>▁</c>.
/// </summary>
internal sealed class MetaspacePreTokenizer
{
    private readonly string _replacement;
    private readonly string _prependScheme;
    private readonly bool _split;
    private readonly bool _splitOnWhitespaceFirst;

    private MetaspacePreTokenizer(string replacement, string prependScheme, bool split, bool splitOnWhitespaceFirst)
    {
        _replacement = replacement;
        _prependScheme = prependScheme;
        _split = split;
        _splitOnWhitespaceFirst = splitOnWhitespaceFirst;
    }

    public static MetaspacePreTokenizer FromJson(JsonElement preTokenizer)
    {
        var type = preTokenizer.ValueKind == JsonValueKind.Object ? preTokenizer.GetProperty("type").GetString() : null;
        if (type == "Sequence")
        {
            var steps = preTokenizer.GetProperty("pretokenizers").EnumerateArray().ToList();
            var types = steps.Select(s => s.GetProperty("type").GetString()).ToList();
            if (types.Count == 2 && types[0] == "WhitespaceSplit" && types[1] == "Metaspace")
            {
                return FromMetaspace(steps[1], splitOnWhitespaceFirst: true);
            }

            if (types.Count == 1 && types[0] == "Metaspace")
            {
                return FromMetaspace(steps[0], splitOnWhitespaceFirst: false);
            }
        }

        return type == "Metaspace"
            ? FromMetaspace(preTokenizer, splitOnWhitespaceFirst: false)
            : throw new NotSupportedException($"tokenizer.json pre_tokenizer '{type ?? "null"}' is not supported for a Unigram model (Metaspace is).");
    }

    /// <param name="isFirstSection">Whether the text starts the input (not after an added token): the <c>first</c> scheme prepends only there.</param>
    public IEnumerable<string> Split(string text, bool isFirstSection)
    {
        var words = _splitOnWhitespaceFirst
            ? text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            : [text];
        // An empty section (nothing left after stripping) yields nothing, not a lone ▁.
        foreach (var word in words.Where(w => w.Length > 0))
        {
            var replaced = word.Replace(" ", _replacement, StringComparison.Ordinal);
            var prepend = _prependScheme == "always" || (_prependScheme == "first" && isFirstSection);
            if (prepend && !replaced.StartsWith(_replacement, StringComparison.Ordinal))
            {
                replaced = _replacement + replaced;
            }

            if (!_split)
            {
                yield return replaced;
                continue;
            }

            var start = 0;
            for (var at = replaced.IndexOf(_replacement, 1, StringComparison.Ordinal); at > 0; at = replaced.IndexOf(_replacement, at + _replacement.Length, StringComparison.Ordinal))
            {
                yield return replaced[start..at];
                start = at;
            }

            yield return replaced[start..];
        }
    }

    private static MetaspacePreTokenizer FromMetaspace(JsonElement metaspace, bool splitOnWhitespaceFirst)
    {
        var replacement = metaspace.TryGetProperty("replacement", out var r) ? r.GetString() ?? "▁" : "▁";
        string scheme;
        if (metaspace.TryGetProperty("prepend_scheme", out var p) && p.ValueKind == JsonValueKind.String)
        {
            scheme = p.GetString()!;
        }
        else
        {
            scheme = !metaspace.TryGetProperty("add_prefix_space", out var add) || add.GetBoolean() ? "always" : "never";
        }

        var split = !metaspace.TryGetProperty("split", out var s) || s.GetBoolean();
        return scheme is "always" or "first" or "never"
            ? new MetaspacePreTokenizer(replacement, scheme, split, splitOnWhitespaceFirst)
            : throw new NotSupportedException($"Metaspace prepend_scheme '{scheme}' is not supported (always, first, never are).");
    }
}
