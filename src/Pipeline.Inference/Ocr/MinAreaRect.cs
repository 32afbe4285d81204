using SkiaSharp;

namespace Pipeline.Inference.Ocr;

/// <summary>The minimum-area rotated rectangle around a set of points: convex hull, then rotating calipers.</summary>
internal static class MinAreaRect
{
    /// <returns>The four corners (going round the rectangle) and the lengths of the sides from corner 0 to 1 and 0 to 3.</returns>
    public static (SKPoint[] Corners, float SideA, float SideB) Of(IReadOnlyList<SKPoint> points)
    {
        var hull = ConvexHull(points);
        if (hull.Count == 1)
        {
            return ([hull[0], hull[0], hull[0], hull[0]], 0, 0);
        }

        var best = (Area: double.MaxValue, Ux: 0.0, Uy: 0.0, MinU: 0.0, MaxU: 0.0, MinV: 0.0, MaxV: 0.0);
        for (var i = 0; i < hull.Count; i++)
        {
            var a = hull[i];
            var b = hull[(i + 1) % hull.Count];
            double dx = b.X - a.X, dy = b.Y - a.Y;
            var length = Math.Sqrt(dx * dx + dy * dy);
            if (length == 0)
            {
                continue;
            }

            var (ux, uy) = (dx / length, dy / length);
            double minU = double.MaxValue, maxU = double.MinValue, minV = double.MaxValue, maxV = double.MinValue;
            foreach (var p in hull)
            {
                var u = p.X * ux + p.Y * uy;
                var v = -p.X * uy + p.Y * ux;
                (minU, maxU) = (Math.Min(minU, u), Math.Max(maxU, u));
                (minV, maxV) = (Math.Min(minV, v), Math.Max(maxV, v));
            }

            var area = (maxU - minU) * (maxV - minV);
            if (area < best.Area)
            {
                best = (area, ux, uy, minU, maxU, minV, maxV);
            }
        }

        SKPoint Corner(double u, double v) => new((float)(u * best.Ux - v * best.Uy), (float)(u * best.Uy + v * best.Ux));
        SKPoint[] corners = [Corner(best.MinU, best.MinV), Corner(best.MaxU, best.MinV), Corner(best.MaxU, best.MaxV), Corner(best.MinU, best.MaxV)];
        return (corners, (float)(best.MaxU - best.MinU), (float)(best.MaxV - best.MinV));
    }

    /// <summary>Andrew's monotone chain; collinear points dropped.</summary>
    internal static List<SKPoint> ConvexHull(IReadOnlyList<SKPoint> points)
    {
        var sorted = points.Distinct().OrderBy(p => p.X).ThenBy(p => p.Y).ToList();
        if (sorted.Count < 3)
        {
            return sorted;
        }

        var hull = new List<SKPoint>(sorted.Count * 2);
        foreach (var pass in new[] { sorted, Enumerable.Reverse(sorted).ToList() })
        {
            var start = hull.Count;
            foreach (var p in pass)
            {
                while (hull.Count >= start + 2 && Cross(hull[^2], hull[^1], p) <= 0)
                {
                    hull.RemoveAt(hull.Count - 1);
                }

                hull.Add(p);
            }

            hull.RemoveAt(hull.Count - 1);
        }

        return hull.Count == 0 ? [sorted[0]] : hull;
    }

    private static double Cross(SKPoint o, SKPoint a, SKPoint b) =>
        ((double)a.X - o.X) * ((double)b.Y - o.Y) - ((double)a.Y - o.Y) * ((double)b.X - o.X);
}
