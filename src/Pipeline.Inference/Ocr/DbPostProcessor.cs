using SkiaSharp;

namespace Pipeline.Inference.Ocr;

/// <summary>
/// Turns the DB detector's probability map into text boxes as PaddleOCR's DBPostProcess does: binarise, find connected
/// regions (8-connected), fit each a minimum-area rectangle, score it by the mean probability inside, and grow it back
/// ("unclip") by area × ratio / perimeter on every side.
/// </summary>
internal sealed class DbPostProcessor(double binarizationThreshold, double boxThreshold, double unclipRatio)
{
    private const int MaxCandidates = 1000;
    internal static bool Four = Environment.GetEnvironmentVariable("FOUR") == "1";
    private const float MinSide = 3;

    /// <param name="map">The image's probability map, rows of <paramref name="stride"/> floats.</param>
    /// <param name="width">Columns of the map that belong to the image (the rest is batch padding).</param>
    /// <param name="height">Rows of the map that belong to the image.</param>
    /// <returns>Boxes in map coordinates.</returns>
    public List<Quad> Boxes(ReadOnlySpan<float> map, int stride, int width, int height)
    {
        var threshold = (float)binarizationThreshold;
        var labels = new int[width * height];
        var boxes = new List<Quad>();
        var stack = new Stack<int>();
        var pixels = new List<(int X, int Y)>();
        var regions = 0;
        for (var start = 0; start < labels.Length && regions < MaxCandidates; start++)
        {
            if (labels[start] != 0 || map[(start / width * stride) + (start % width)] <= threshold)
            {
                continue;
            }

            regions++;
            pixels.Clear();
            labels[start] = regions;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var index = stack.Pop();
                int x = index % width, y = index / width;
                pixels.Add((x, y));
                for (var ny = Math.Max(0, y - 1); ny <= Math.Min(height - 1, y + 1); ny++)
                {
                    for (var nx = Math.Max(0, x - 1); nx <= Math.Min(width - 1, x + 1); nx++)
                    {
                        var neighbour = ny * width + nx;
                        if (Four && nx != x && ny != y)
                        {
                            continue;
                        }

                        if (labels[neighbour] == 0 && map[ny * stride + nx] > threshold)
                        {
                            labels[neighbour] = regions;
                            stack.Push(neighbour);
                        }
                    }
                }
            }

            if (BoxFor(pixels, map, stride, width, height) is { } box)
            {
                boxes.Add(box);
            }
        }

        return Environment.GetEnvironmentVariable("MERGE") == "1" ? LineMerger.Merge(boxes) : boxes;
    }

    private Quad? BoxFor(List<(int X, int Y)> pixels, ReadOnlySpan<float> map, int stride, int width, int height)
    {
        var (corners, sideA, sideB) = MinAreaRect.Of(BoundaryCandidates(pixels));
        if (MathF.Min(sideA, sideB) < MinSide)
        {
            return null;
        }

        var box = Quad.FromCorners(corners);
        if (Environment.GetEnvironmentVariable("DEBUGBOX") == "1")
        {
            Console.WriteLine($"   region {pixels.Count} px, rect {sideA:F0}x{sideB:F0} at {box.TopLeft} score {MeanInside(box, map, stride, width, height):F2}");
        }

        var score = Environment.GetEnvironmentVariable("SLOW") == "1" ? MeanOf(pixels, map, stride) : MeanInside(box, map, stride, width, height);
        if (score < boxThreshold)
        {
            return null;
        }

        var grown = Unclip(corners, sideA, sideB);
        return MathF.Min(sideA, sideB) + 2 * grown.Distance < MinSide + 2 ? null : Quad.FromCorners(grown.Corners);
    }

    private static float MeanOf(List<(int X, int Y)> pixels, ReadOnlySpan<float> map, int stride)
    {
        double sum = 0;
        foreach (var (x, y) in pixels)
        {
            sum += map[y * stride + x];
        }

        return (float)(sum / pixels.Count);
    }

    /// <summary>Only the leftmost and rightmost pixel of each row can be on the convex hull.</summary>
    private static List<SKPoint> BoundaryCandidates(List<(int X, int Y)> pixels)
    {
        var rows = new Dictionary<int, (int Min, int Max)>();
        foreach (var (x, y) in pixels)
        {
            rows[y] = rows.TryGetValue(y, out var r) ? (Math.Min(r.Min, x), Math.Max(r.Max, x)) : (x, x);
        }

        var candidates = new List<SKPoint>(rows.Count * 2);
        foreach (var (y, (min, max)) in rows)
        {
            candidates.Add(new SKPoint(min, y));
            if (max != min)
            {
                candidates.Add(new SKPoint(max, y));
            }
        }

        return candidates;
    }

    /// <summary>PaddleOCR's "fast" box score: the mean probability over the pixels whose centres lie inside the box.</summary>
    private static float MeanInside(Quad box, ReadOnlySpan<float> map, int stride, int width, int height)
    {
        ReadOnlySpan<SKPoint> polygon = [box.TopLeft, box.TopRight, box.BottomRight, box.BottomLeft];
        var minX = Math.Clamp((int)MathF.Floor(Min(polygon, p => p.X)), 0, width - 1);
        var maxX = Math.Clamp((int)MathF.Ceiling(Max(polygon, p => p.X)), 0, width - 1);
        var minY = Math.Clamp((int)MathF.Floor(Min(polygon, p => p.Y)), 0, height - 1);
        var maxY = Math.Clamp((int)MathF.Ceiling(Max(polygon, p => p.Y)), 0, height - 1);
        double sum = 0;
        var count = 0;
        for (var y = minY; y <= maxY; y++)
        {
            for (var x = minX; x <= maxX; x++)
            {
                if (Inside(polygon, x, y))
                {
                    sum += map[y * stride + x];
                    count++;
                }
            }
        }

        return count == 0 ? 0 : (float)(sum / count);
    }

    /// <summary>Inside or on the edge of a convex polygon given clockwise (in image coordinates).</summary>
    private static bool Inside(ReadOnlySpan<SKPoint> polygon, float x, float y)
    {
        for (var i = 0; i < polygon.Length; i++)
        {
            var a = polygon[i];
            var b = polygon[(i + 1) % polygon.Length];
            if ((b.X - a.X) * (y - a.Y) - (b.Y - a.Y) * (x - a.X) < -0.5f * SKPoint.Distance(a, b))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// PaddleOCR offsets the polygon by area × ratio / perimeter with round joins and takes its minimum-area rectangle
    /// again; for a rectangle that is the same rectangle grown by that distance on every side.
    /// </summary>
    private (SKPoint[] Corners, float Distance) Unclip(SKPoint[] corners, float sideA, float sideB)
    {
        var distance = (float)(sideA * sideB * unclipRatio / (2 * (sideA + sideB)));
        var center = new SKPoint((corners[0].X + corners[2].X) / 2, (corners[0].Y + corners[2].Y) / 2);
        var grown = new SKPoint[4];
        for (var i = 0; i < 4; i++)
        {
            // Corner i sits at ±a/2 along one side and ±b/2 along the other; both move out by the distance.
            var alongA = Unit(corners[1] - corners[0]);
            var alongB = Unit(corners[3] - corners[0]);
            var offset = corners[i] - center;
            var a = Dot(offset, alongA);
            var b = Dot(offset, alongB);
            var na = a + MathF.Sign(a) * distance;
            var nb = b + MathF.Sign(b) * distance;
            grown[i] = center + new SKPoint(alongA.X * na + alongB.X * nb, alongA.Y * na + alongB.Y * nb);
        }

        return (grown, distance);
    }

    private static SKPoint Unit(SKPoint v)
    {
        var length = v.Length;
        return length == 0 ? new SKPoint(1, 0) : new SKPoint(v.X / length, v.Y / length);
    }

    private static float Dot(SKPoint a, SKPoint b) => a.X * b.X + a.Y * b.Y;

    private static float Min(ReadOnlySpan<SKPoint> points, Func<SKPoint, float> value)
    {
        var min = float.MaxValue;
        foreach (var p in points)
        {
            min = MathF.Min(min, value(p));
        }

        return min;
    }

    private static float Max(ReadOnlySpan<SKPoint> points, Func<SKPoint, float> value)
    {
        var max = float.MinValue;
        foreach (var p in points)
        {
            max = MathF.Max(max, value(p));
        }

        return max;
    }
}
