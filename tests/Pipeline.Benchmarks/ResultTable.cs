using System.Globalization;
using System.Text;

namespace Pipeline.Benchmarks;

/// <summary>One model's timings on both sides; <see cref="Theirs"/> is null when transformers.js was skipped or failed.</summary>
internal sealed record ModelTimings(string Model, string Variant, IReadOnlyList<BatchTiming> Ours, IReadOnlyList<BatchTiming>? Theirs);

/// <summary>The side-by-side table as plain text (fixed-width columns, readable in a CI log and pasteable into Markdown).</summary>
internal static class ResultTable
{
    public static string Format(IReadOnlyList<ModelTimings> models)
    {
        string[] header = ["model", "variant", "batch", "ours img/s", "transformers.js img/s", "ours ÷ theirs", "tokens ours / theirs"];
        var rows = new List<string[]>();
        foreach (var model in models)
        {
            foreach (var ours in model.Ours)
            {
                var theirs = model.Theirs?.FirstOrDefault(t => t.Batch == ours.Batch);
                rows.Add(
                [
                    model.Model,
                    model.Variant,
                    Invariant($"{ours.Batch}"),
                    Invariant($"{ours.ImagesPerSecond:F2}"),
                    theirs is null ? "—" : Invariant($"{theirs.ImagesPerSecond:F2}"),
                    theirs is null ? "—" : Invariant($"{ours.ImagesPerSecond / theirs.ImagesPerSecond:F2}×"),
                    ours.Tokens is > 0 || theirs?.Tokens is > 0 ? Invariant($"{ours.Tokens} / {theirs?.Tokens?.ToString(CultureInfo.InvariantCulture) ?? "—"}") : "",
                ]);
            }
        }

        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        Line(text, header, widths);
        text.AppendLine(string.Join("-|-", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            Line(text, row, widths);
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, string[] cells, int[] widths) =>
        text.AppendLine(string.Join(" | ", cells.Select((c, i) => i < 2 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
