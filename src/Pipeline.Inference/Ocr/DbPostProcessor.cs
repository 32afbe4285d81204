using SkiaSharp;

namespace Pipeline.Inference.Ocr;

/// <summary>
/// Turns the DB detector's probability map into text boxes as PaddleOCR's DBPostProcess does: binarise, find connected
/// regions (8-connected, like OpenCV's contours), fit each a minimum-area rectangle, keep it when the region's mean
/// probability reaches the box threshold, and grow it back ("unclip") by area × ratio / perimeter on every side. Boxes
/// that continue one another along a line are then joined (<see cref="LineMerger"/>).
/// </summary>
/// <remarks>
/// The score is the mean over the region's own pixels (PaddleOCR's score_mode "slow"), not over its rectangle ("fast"):
/// on a photographed page the lines bow, their rectangles take in background, and "fast" drops whole lines.
/// </remarks>
internal sealed class DbPostProcessor(double binarizationThreshold, double boxThreshold, double unclipRatio)
{
    private const int MaxCandidates = 1000;
    private const float MinSide = 3;

    /// <param name="map">The image's probability map, rows of <paramref name="stride"/> floats.</param>
    /// <param name="width">Columns of the map that belong to the image (the rest is batch padding).</param>
    /// <param name="height">Rows of the map that belong to the image.</param>
    /// <returns>Boxes in map coordinates.</returns>
    public List<Quad> Boxes(ReadOnlySpan<float> map, int stride, int width, int height)
    {
        var threshold = (float)binarizationThreshold;
        var labelled = new bool[width * height];
        var boxes = new List<Quad>();
        var stack = new Stack<int>();
        var pixels = new List<(int X, int Y)>();
        var regions = 0;
        for (var start = 0; start < labelled.Length && regions < MaxCandidates; start++)
        {
            if (labelled[start] || map[(start / width * stride) + (start % width)] <= threshold)
            {
                continue;
            }

            regions++;
            pixels.Clear();
            var sum = 0.0;
            labelled[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var index = stack.Pop();
                int x = index % width, y = index / width;
                pixels.Add((x, y));
                sum += map[y * stride + x];
                for (var ny = Math.Max(0, y - 1); ny <= Math.Min(height - 1, y + 1); ny++)
                {
                    for (var nx = Math.Max(0, x - 1); nx <= Math.Min(width - 1, x + 1); nx++)
                    {
                        var neighbour = ny * width + nx;
                        if (!labelled[neighbour] && map[ny * stride + nx] > threshold)
                        {
                            labelled[neighbour] = true;
                            stack.Push(neighbour);
                        }
                    }
                }
            }

            if (sum / pixels.Count >= boxThreshold && BoxFor(pixels) is { } box)
            {
                boxes.Add(box);
            }
        }

        return LineMerger.Merge(boxes);
    }

    private Quad? BoxFor(List<(int X, int Y)> pixels)
    {
        var (corners, sideA, sideB) = MinAreaRect.Of(BoundaryCandidates(pixels));
        if (MathF.Min(sideA, sideB) < MinSide)
        {
            return null;
        }

        // PaddleOCR offsets the polygon by area × ratio / perimeter with round joins and takes the minimum-area
        // rectangle again; for a rectangle that is the same rectangle grown by that distance on every side.
        var distance = (float)(sideA * sideB * unclipRatio / (2 * (sideA + sideB)));
        return MathF.Min(sideA, sideB) + 2 * distance < MinSide + 2 ? null : Quad.FromCorners(Grow(corners, distance));
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

    /// <summary>The rectangle (corners in order round it) moved out by <paramref name="distance"/> on every side.</summary>
    internal static SKPoint[] Grow(SKPoint[] corners, float distance)
    {
        var alongA = Unit(corners[1] - corners[0]);
        var alongB = Unit(corners[3] - corners[0]);
        var centre = new SKPoint((corners[0].X + corners[2].X) / 2, (corners[0].Y + corners[2].Y) / 2);
        var grown = new SKPoint[4];
        for (var i = 0; i < 4; i++)
        {
            var offset = corners[i] - centre;
            var a = offset.X * alongA.X + offset.Y * alongA.Y;
            var b = offset.X * alongB.X + offset.Y * alongB.Y;
            a += MathF.Sign(a) * distance;
            b += MathF.Sign(b) * distance;
            grown[i] = centre + new SKPoint(alongA.X * a + alongB.X * b, alongA.Y * a + alongB.Y * b);
        }

        return grown;
    }

    private static SKPoint Unit(SKPoint v)
    {
        var length = v.Length;
        return length == 0 ? new SKPoint(1, 0) : new SKPoint(v.X / length, v.Y / length);
    }
}
