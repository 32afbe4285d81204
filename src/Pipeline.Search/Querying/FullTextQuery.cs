using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Search.Querying;

/// <summary>
/// A query as people type it, turned into the two web-search queries the full-text half runs: <see cref="Wanted"/>, any
/// of whose terms makes a match (ranked by how many stand in the picture's text, and how close together), and
/// <see cref="Excluded"/>, whose terms veto one (<c>-word</c>). Quoted phrases stay phrases. Common English words
/// ("on", "a", "the") do not count while the query has others. Words in Chinese, Japanese and Korean script also count
/// by their character pairs (bigrams), as the stored text is indexed: "고슴도치" finds "고슴도치가" (a particle attached) and
/// a word inside an unspaced line of text.
/// </summary>
/// <param name="Together">The wanted words and phrases all required (web-search AND): its rank rewards a picture whose
/// text holds every one of them close together.</param>
public sealed partial record FullTextQuery(string Wanted, string Together, string Excluded)
{
    /// <summary>Words so common that requiring or rewarding them says nothing about a picture.</summary>
    private static readonly HashSet<string> StopWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "an", "the", "of", "on", "in", "at", "to", "for", "with", "and", "or", "by", "from", "is", "are", "was", "were",
        "be", "it", "its", "this", "that", "these", "those", "as", "into", "onto", "over", "under", "some", "any", "me",
        "my", "find", "show", "photo", "photos", "picture", "pictures", "image", "images",
    };

    public static FullTextQuery Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var phrases = new List<string>();
        var words = new List<string>();
        var excluded = new List<string>();
        foreach (Match match in Pieces().Matches(text))
        {
            if (match.Groups["phrase"].Success)
            {
                phrases.Add(match.Groups["phrase"].Value);
            }
            else if (match.Groups["not"].Success)
            {
                excluded.Add(match.Groups["not"].Value);
            }
            else if (!string.Equals(match.Value, "or", StringComparison.OrdinalIgnoreCase))
            {
                words.Add(match.Value);
            }
        }

        var kept = words.Where(w => !StopWords.Contains(w)).ToList();
        var together = phrases.Select(Quoted).Concat(kept).Distinct(StringComparer.Ordinal).ToList();
        var wanted = together.Concat(kept.SelectMany(CjkBigrams)).Distinct(StringComparer.Ordinal);
        var vetoed = excluded.Select(w => CjkBigrams(w).Any() ? Quoted(string.Join(' ', CjkBigrams(w))) : w);
        return new FullTextQuery(string.Join(" or ", wanted), string.Join(' ', together), string.Join(" or ", vetoed));
    }

    /// <summary>
    /// The pairs of neighbouring characters of every run of Chinese, Japanese or Korean script in <paramref name="text"/>,
    /// as the stored text's index holds them (<c>pipeline_cjk_bigrams</c> in the database).
    /// </summary>
    public static IEnumerable<string> CjkBigrams(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var runes = text.EnumerateRunes().ToList();
        for (var i = 0; i + 1 < runes.Count; i++)
        {
            if (IsCjk(runes[i]) && IsCjk(runes[i + 1]))
            {
                yield return new StringBuilder().Append(runes[i].ToString()).Append(runes[i + 1].ToString()).ToString();
            }
        }
    }

    /// <summary>Hangul (jamo, compatibility jamo, syllables), kana, CJK ideographs: the ranges the database function uses.</summary>
    public static bool IsCjk(Rune rune) => rune.Value is
        (>= 0x1100 and <= 0x11FF) or (>= 0x3040 and <= 0x30FF) or (>= 0x3130 and <= 0x318F) or (>= 0x3400 and <= 0x4DBF)
        or (>= 0x4E00 and <= 0x9FFF) or (>= 0xAC00 and <= 0xD7AF) or (>= 0xF900 and <= 0xFAFF);

    private static string Quoted(string phrase) => "\"" + phrase.Replace("\"", "", StringComparison.Ordinal) + "\"";

    [GeneratedRegex("""(?:"(?<phrase>[^"]+)")|(?:(?<=^|\s)-(?<not>[^\s"]+))|[^\s"]+""")]
    private static partial Regex Pieces();
}
