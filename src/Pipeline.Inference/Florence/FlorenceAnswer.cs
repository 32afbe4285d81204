using System.Globalization;
using System.Text.RegularExpressions;
using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Florence;

/// <summary>A line of text and its quadrilateral in original-image pixels, corners in the order the model gives them.</summary>
public sealed record TextQuad(string Text, IReadOnlyList<(float X, float Y)> Corners);

/// <summary>What one Florence-2 task answered for one picture, read from its generated text.</summary>
public sealed partial record FlorenceAnswer(FlorenceTask Task, string? Text, IReadOnlyList<LabelledBox> Boxes, IReadOnlyList<TextQuad> Quads)
{
    /// <summary>
    /// Reads a generated text (<see cref="FlorenceTokenizer.Decode"/>) as Florence-2's <c>post_process_generation</c>
    /// does: <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c> and <c>&lt;pad&gt;</c> removed; location bin N becomes
    /// (N + 0.5) / 1000 of the picture's width or height; a box without a label repeats the previous label.
    /// </summary>
    public static FlorenceAnswer Read(FlorenceTask task, string generated, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var text = generated.Replace("</s>", "", StringComparison.Ordinal).Replace("<s>", "", StringComparison.Ordinal).Replace("<pad>", "", StringComparison.Ordinal);
        return task.Output switch
        {
            FlorenceOutputKind.LabelledBoxes => new(task, null, ReadBoxes(text, width, height), []),
            FlorenceOutputKind.TextQuads => new(task, null, [], ReadQuads(text, width, height)),
            _ => new(task, text.Trim(), [], []),
        };
    }

    private static List<LabelledBox> ReadBoxes(string text, int width, int height)
    {
        var boxes = new List<LabelledBox>();
        var label = "";
        foreach (Match match in BoxPattern().Matches(text))
        {
            if (match.Groups[1].Value.Trim() is { Length: > 0 } named)
            {
                label = named;
            }

            boxes.Add(new LabelledBox(
                label,
                Coordinate(match.Groups[2].Value, width),
                Coordinate(match.Groups[3].Value, height),
                Coordinate(match.Groups[4].Value, width),
                Coordinate(match.Groups[5].Value, height)));
        }

        return boxes;
    }

    private static List<TextQuad> ReadQuads(string text, int width, int height)
    {
        var quads = new List<TextQuad>();
        foreach (Match match in QuadPattern().Matches(text))
        {
            var corners = Enumerable.Range(0, 4)
                .Select(k => (Coordinate(match.Groups[2 + (2 * k)].Value, width), Coordinate(match.Groups[3 + (2 * k)].Value, height)))
                .ToList();
            quads.Add(new TextQuad(match.Groups[1].Value.Trim(), corners));
        }

        return quads;
    }

    private static float Coordinate(string bin, int size) =>
        (float)((int.Parse(bin, CultureInfo.InvariantCulture) + 0.5) / FlorenceVocabulary.LocationBins * size);

    [GeneratedRegex(@"([^<]+)?<loc_(\d+)><loc_(\d+)><loc_(\d+)><loc_(\d+)>", RegexOptions.CultureInvariant)]
    private static partial Regex BoxPattern();

    [GeneratedRegex(@"(.+?)<loc_(\d+)><loc_(\d+)><loc_(\d+)><loc_(\d+)><loc_(\d+)><loc_(\d+)><loc_(\d+)><loc_(\d+)>", RegexOptions.CultureInvariant)]
    private static partial Regex QuadPattern();
}
