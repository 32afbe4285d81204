using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Inference.Composition;

/// <summary>
/// Composes alt-text from what the models found: the caption as one clean sentence (trimmed, capitalised, full stop,
/// without the "an image of" boilerplate that screen readers already announce), then the text the picture shows,
/// quoted line by line: <c>A street sign on a pole. Text: "STOP", "ALL WAY".</c>
/// </summary>
public static partial class AltText
{
    /// <summary>Alt-text beyond this many characters tires screen-reader users; the full text stays in ocr_text.</summary>
    public const int MaxLength = 250;

    public static string? Compose(string? caption, IReadOnlyList<string> textLines, int maxLength = MaxLength)
    {
        ArgumentNullException.ThrowIfNull(textLines);
        var sentence = FromCaption(caption);
        var lines = textLines.Select(l => Whitespace().Replace(l.Trim(), " ")).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0)
        {
            return sentence;
        }

        var builder = new StringBuilder(sentence);
        if (builder.Length > 0)
        {
            builder.Append(' ');
        }

        builder.Append("Text: ");
        var budget = maxLength - builder.Length - 1;
        for (var i = 0; i < lines.Count; i++)
        {
            var quoted = $"\"{lines[i]}\"";
            var separator = i == 0 ? "" : ", ";
            var ellipsisRoom = i < lines.Count - 1 ? 2 : 0;
            if (separator.Length + quoted.Length + ellipsisRoom > budget)
            {
                // The first line always gets in, shortened if need be; later ones only whole.
                if (i == 0)
                {
                    builder.Append('"').Append(lines[0].AsSpan(0, Math.Max(1, budget - 3))).Append("…\"");
                }
                else
                {
                    builder.Append(", …");
                }

                return builder.Append('.').ToString();
            }

            builder.Append(separator).Append(quoted);
            budget -= separator.Length + quoted.Length;
        }

        return builder.Append('.').ToString();
    }

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
