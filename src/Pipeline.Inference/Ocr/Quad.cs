using Pipeline.Inference.Contract;
using SkiaSharp;

namespace Pipeline.Inference.Ocr;

/// <summary>A text box: top-left, top-right, bottom-right, bottom-left (PaddleOCR's point order).</summary>
internal readonly record struct Quad(SKPoint TopLeft, SKPoint TopRight, SKPoint BottomRight, SKPoint BottomLeft)
{
    /// <summary>PaddleOCR's crop width: the longer of the top and bottom edges.</summary>
    public float Width => MathF.Max(Distance(TopLeft, TopRight), Distance(BottomLeft, BottomRight));

    /// <summary>PaddleOCR's crop height: the longer of the left and right edges.</summary>
    public float Height => MathF.Max(Distance(TopLeft, BottomLeft), Distance(TopRight, BottomRight));

    /// <summary>
    /// Orders four corners as PaddleOCR's get_mini_boxes does: the two leftmost make the left side (upper one first),
    /// the two rightmost the right side.
    /// </summary>
    public static Quad FromCorners(ReadOnlySpan<SKPoint> corners)
    {
        Span<SKPoint> p = [corners[0], corners[1], corners[2], corners[3]];
        p.Sort((a, b) => a.X != b.X ? a.X.CompareTo(b.X) : a.Y.CompareTo(b.Y));
        var (topLeft, bottomLeft) = p[1].Y > p[0].Y ? (p[0], p[1]) : (p[1], p[0]);
        var (topRight, bottomRight) = p[3].Y > p[2].Y ? (p[2], p[3]) : (p[3], p[2]);
        return new Quad(topLeft, topRight, bottomRight, bottomLeft);
    }

    /// <summary>The same box read the other way up (what the 180° classifier asks for).</summary>
    public Quad Rotated180() => new(BottomRight, BottomLeft, TopLeft, TopRight);

    /// <summary>The same box with its right edge on top: a tall box read as a line turned 90° counter-clockwise (np.rot90).</summary>
    public Quad Rotated90() => new(TopRight, BottomRight, BottomLeft, TopLeft);

    public Quad Scale(float sx, float sy) => new(Scale(TopLeft, sx, sy), Scale(TopRight, sx, sy), Scale(BottomRight, sx, sy), Scale(BottomLeft, sx, sy));

    public Quad Clamp(float width, float height) =>
        new(Clamp(TopLeft, width, height), Clamp(TopRight, width, height), Clamp(BottomRight, width, height), Clamp(BottomLeft, width, height));

    public IReadOnlyList<TextPoint> ToPoints() =>
        [new(TopLeft.X, TopLeft.Y), new(TopRight.X, TopRight.Y), new(BottomRight.X, BottomRight.Y), new(BottomLeft.X, BottomLeft.Y)];

    private static float Distance(SKPoint a, SKPoint b) => SKPoint.Distance(a, b);

    private static SKPoint Scale(SKPoint p, float sx, float sy) => new(p.X * sx, p.Y * sy);

    private static SKPoint Clamp(SKPoint p, float width, float height) => new(Math.Clamp(p.X, 0, width), Math.Clamp(p.Y, 0, height));
}
