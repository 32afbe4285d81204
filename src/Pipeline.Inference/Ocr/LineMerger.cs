using SkiaSharp;

namespace Pipeline.Inference.Ocr;

/// <summary>
/// Joins boxes that continue one another along a line. The DB detector splits lines into words where the gaps are wide
/// (large or monospaced type); side by side, equally tall, equally turned and close, they are one line, read as one.
/// </summary>
internal static class LineMerger
{
    /// <summary>Largest gap between the boxes, in heights of the taller (a monospaced space is about 0.7).</summary>
    private const float MaxGap = 0.8f;

    /// <summary>Smallest share of the shorter box's height that the taller box's height must cover.</summary>
    private const float MinOverlap = 0.7f;

    /// <summary>Smallest ratio of the shorter box's height to the taller's (a word without descenders beside one with).</summary>
    private const float MinHeightRatio = 0.5f;

    /// <summary>Largest difference of direction (sine of the angle, about 6°).</summary>
    private const float MaxTurn = 0.1f;

    public static List<Quad> Merge(List<Quad> boxes)
    {
        var merged = new List<Quad>(boxes);
        for (var i = 0; i < merged.Count; i++)
        {
            for (var j = 0; j < merged.Count; j++)
            {
                if (i == j || !(Continues(merged[i], merged[j]) || Continues(merged[j], merged[i])))
                {
                    continue;
                }

                merged[i] = Union(merged[i], merged[j]);
                merged.RemoveAt(j);
                i -= j < i ? 1 : 0;
                j = -1; // the longer box may now reach boxes already passed
            }
        }

        return merged;
    }

    /// <summary>Whether <paramref name="right"/> carries on the line of <paramref name="left"/>.</summary>
    internal static bool Continues(Quad left, Quad right)
    {
        var (hl, hr) = (Thickness(left), Thickness(right));
        if (MathF.Min(hl, hr) < MinHeightRatio * MathF.Max(hl, hr))
        {
            return false;
        }

        var (ul, ur) = (Direction(left), Direction(right));
        if (MathF.Abs(ul.X * ur.Y - ul.Y * ur.X) > MaxTurn || ul.X * ur.X + ul.Y * ur.Y < 0)
        {
            return false;
        }

        var offset = Centre(right) - Centre(left);
        var along = offset.X * ul.X + offset.Y * ul.Y;
        var across = -offset.X * ul.Y + offset.Y * ul.X;
        var overlap = MathF.Min(hl / 2, across + hr / 2) - MathF.Max(-hl / 2, across - hr / 2);
        var gap = along - (Length(left) + Length(right)) / 2;
        return along > 0 && overlap >= MinOverlap * MathF.Min(hl, hr) && gap <= MaxGap * MathF.Max(hl, hr);
    }

    private static Quad Union(Quad a, Quad b) =>
        Quad.FromCorners(MinAreaRect.Of([a.TopLeft, a.TopRight, a.BottomRight, a.BottomLeft, b.TopLeft, b.TopRight, b.BottomRight, b.BottomLeft]).Corners);

    private static SKPoint Centre(Quad q) =>
        new((q.TopLeft.X + q.TopRight.X + q.BottomRight.X + q.BottomLeft.X) / 4, (q.TopLeft.Y + q.TopRight.Y + q.BottomRight.Y + q.BottomLeft.Y) / 4);

    private static SKPoint Direction(Quad q)
    {
        var v = q.TopRight - q.TopLeft + (q.BottomRight - q.BottomLeft);
        var length = v.Length;
        return length == 0 ? new SKPoint(1, 0) : new SKPoint(v.X / length, v.Y / length);
    }

    private static float Length(Quad q) => (SKPoint.Distance(q.TopLeft, q.TopRight) + SKPoint.Distance(q.BottomLeft, q.BottomRight)) / 2;

    private static float Thickness(Quad q) => (SKPoint.Distance(q.TopLeft, q.BottomLeft) + SKPoint.Distance(q.TopRight, q.BottomRight)) / 2;
}
