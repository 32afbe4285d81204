namespace Pipeline.Inference.Ocr;

/// <summary>
/// The DB detector reads text best at the sizes it was trained on: lines much taller than about 30 pixels at its input
/// come back split into words or with single characters missing (a sign photographed close up, a title). When a
/// picture's typical box is that tall, it is detected again at the scale that brings its boxes to <see cref="Target"/>.
/// </summary>
internal static class LargeText
{
    /// <summary>Median box height (the short side, unclip included) at the detector's input above which a picture is detected again.</summary>
    public const double MaxHeight = 36;

    /// <summary>The median box height the second detection aims for.</summary>
    public const double Target = 28;

    /// <param name="boxes">The first detection's boxes in picture pixels.</param>
    /// <param name="scale">The first detection's scale (detector pixels per picture pixel).</param>
    /// <returns>The scale for a second detection, or null when the first one stands.</returns>
    public static double? Rescale(IReadOnlyList<Quad> boxes, double scale)
    {
        if (boxes.Count == 0)
        {
            return null;
        }

        var heights = boxes.Select(b => Math.Min(b.Width, b.Height) * scale).Order().ToList();
        var median = heights[heights.Count / 2];
        return median > MaxHeight ? scale * Target / median : null;
    }
}
