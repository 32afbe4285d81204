namespace Pipeline.Inference.Ocr;

/// <summary>
/// PaddleOCR's sorted_boxes: by the top-left corner's y then x, then boxes whose tops are within 10 px of each other
/// (one line of text split into several boxes) are put left to right.
/// </summary>
internal static class ReadingOrder
{
    private const float SameLine = 10f;

    public static List<T> Sort<T>(IEnumerable<T> items, Func<T, Quad> box)
    {
        var sorted = items.OrderBy(i => box(i).TopLeft.Y).ThenBy(i => box(i).TopLeft.X).ToList();
        for (var i = 0; i < sorted.Count - 1; i++)
        {
            for (var j = i; j >= 0; j--)
            {
                var (upper, lower) = (box(sorted[j]).TopLeft, box(sorted[j + 1]).TopLeft);
                if (Math.Abs(lower.Y - upper.Y) >= SameLine || lower.X >= upper.X)
                {
                    break;
                }

                (sorted[j], sorted[j + 1]) = (sorted[j + 1], sorted[j]);
            }
        }

        return sorted;
    }
}
