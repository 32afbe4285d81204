using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pipeline.Inference.Tokenizers.SentencePiece;

/// <summary>
/// A tokenizer.json <c>normalizer</c>: the kinds SentencePiece conversions write (<c>Precompiled</c>, <c>Replace</c>,
/// <c>Strip</c>, Unicode forms, <c>Lowercase</c>, and a <c>Sequence</c> of them). Anything else is refused at load, so
/// a tokenizer is never half applied.
/// </summary>
internal static class TextNormalizer
{
    public static Func<string, string> FromJson(JsonElement normalizer)
    {
        if (normalizer.ValueKind == JsonValueKind.Null)
        {
            return text => text;
        }

        var type = normalizer.GetProperty("type").GetString();
        switch (type)
        {
            case "Sequence":
                var steps = normalizer.GetProperty("normalizers").EnumerateArray().Select(FromJson).ToArray();
                return text => steps.Aggregate(text, (current, step) => step(current));
            case "Precompiled":
                var charsMap = normalizer.GetProperty("precompiled_charsmap");
                if (charsMap.ValueKind == JsonValueKind.Null)
                {
                    return text => text;
                }

                var map = PrecompiledCharsMap.FromBase64(charsMap.GetString()!);
                return map.Normalize;
            case "Replace":
                return Replace(normalizer);
            case "Strip":
                var left = !normalizer.TryGetProperty("strip_left", out var l) || l.GetBoolean();
                var right = !normalizer.TryGetProperty("strip_right", out var r) || r.GetBoolean();
                return text => (left, right) switch
                {
                    (true, true) => text.Trim(),
                    (true, false) => text.TrimStart(),
                    (false, true) => text.TrimEnd(),
                    _ => text,
                };
            case "NFC":
                return text => text.Normalize(NormalizationForm.FormC);
            case "NFD":
                return text => text.Normalize(NormalizationForm.FormD);
            case "NFKC":
                return text => text.Normalize(NormalizationForm.FormKC);
            case "NFKD":
                return text => text.Normalize(NormalizationForm.FormKD);
            case "Lowercase":
                return text => text.ToLowerInvariant();
            default:
                throw new NotSupportedException($"tokenizer.json normalizer '{type}' is not supported (Sequence, Precompiled, Replace, Strip, NFC, NFD, NFKC, NFKD, Lowercase are).");
        }
    }

    private static Func<string, string> Replace(JsonElement normalizer)
    {
        var pattern = normalizer.GetProperty("pattern");
        var content = normalizer.GetProperty("content").GetString() ?? "";
        if (pattern.TryGetProperty("String", out var literal))
        {
            var find = literal.GetString() ?? "";
            return text => find.Length == 0 ? text : text.Replace(find, content, StringComparison.Ordinal);
        }

        var regex = new Regex(pattern.GetProperty("Regex").GetString()!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return text => regex.Replace(text, content.Replace("$", "$$", StringComparison.Ordinal));
    }
}
