using System.Text.Json;

namespace Pipeline.Inference.Tokenizers.SentencePiece;

/// <summary>
/// tokenizer.json's <c>added_tokens</c> (<c>&lt;s&gt;</c>, <c>&lt;mask&gt;</c>, …): found in the raw text before
/// normalisation, leftmost and longest first, each taking the whitespace beside it that its <c>lstrip</c>/<c>rstrip</c>
/// asks for, as Hugging Face's added vocabulary does.
/// </summary>
internal sealed class AddedTokens
{
    private readonly List<(string Content, int Id, bool LeftStrip, bool RightStrip)> _tokens;

    private AddedTokens(List<(string Content, int Id, bool LeftStrip, bool RightStrip)> tokens) => _tokens = tokens;

    public static AddedTokens FromJson(JsonElement addedTokens) => new(addedTokens.ValueKind != JsonValueKind.Array
        ? []
        : addedTokens.EnumerateArray()
            .Select(t => (
                t.GetProperty("content").GetString() ?? "",
                t.GetProperty("id").GetInt32(),
                t.TryGetProperty("lstrip", out var l) && l.GetBoolean(),
                t.TryGetProperty("rstrip", out var r) && r.GetBoolean()))
            .Where(t => t.Item1.Length > 0)
            .OrderByDescending(t => t.Item1.Length)
            .ToList());

    public int? IdOf(string content) => _tokens.FirstOrDefault(t => t.Content == content) is { Content: not null } found ? found.Id : null;

    /// <summary>The text cut around added tokens: each part is either ordinary text (<c>Id</c> null) or one added token.</summary>
    public List<(string Text, int? Id)> Split(string text)
    {
        var parts = new List<(string Text, int? Id)>();
        var textStart = 0;
        var at = 0;
        while (at < text.Length)
        {
            var match = _tokens.FirstOrDefault(t => text.AsSpan(at).StartsWith(t.Content, StringComparison.Ordinal));
            if (match.Content is null)
            {
                at++;
                continue;
            }

            var before = text[textStart..at];
            if (match.LeftStrip)
            {
                before = before.TrimEnd();
            }

            if (before.Length > 0)
            {
                parts.Add((before, null));
            }

            parts.Add((match.Content, match.Id));
            at += match.Content.Length;
            if (match.RightStrip)
            {
                while (at < text.Length && char.IsWhiteSpace(text[at]))
                {
                    at++;
                }
            }

            textStart = at;
        }

        if (textStart < text.Length)
        {
            parts.Add((text[textStart..], null));
        }

        return parts;
    }
}
