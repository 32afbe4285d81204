using System.Text.RegularExpressions;

namespace Pipeline.Inference.Captioning;

/// <summary>
/// Turns a model caption into alt-text: trimmed, one sentence with a capital letter and a full stop, without the
/// "an image of" boilerplate that screen readers already announce ("image").
/// </summary>
public static partial class AltText
{
    public static string? FromCaption(string? caption)
    {
        if (string.IsNullOrWhiteSpace(caption))
        {
            return null;
        }

        var text = Whitespace().Replace(caption.Trim(), " ");
        text = Boilerplate().Replace(text, "").Trim();
        if (text.Length == 0)
        {
            return null;
        }

        text = char.ToUpperInvariant(text[0]) + text[1..];
        return text[^1] is '.' or '!' or '?' ? text : text + ".";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    // Only "an image of …", "this picture shows …" and the like: "a photo booth" keeps its photo.
    [GeneratedRegex(@"^(?:(?:this|the|an?)\s+)?(?:image|picture|photo|photograph|illustration)\s+(?:of|shows|showing|depicting)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex Boilerplate();
}
