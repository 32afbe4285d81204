namespace Pipeline.Inference.Contract;

/// <summary>A line of text read in a picture, where it is and how sure the reader is.</summary>
/// <param name="Text">The recognised characters.</param>
/// <param name="Confidence">Mean probability of the recognised characters, 0..1.</param>
/// <param name="Box">The line's quadrilateral in the image's pixel coordinates: top-left, top-right, bottom-right, bottom-left.</param>
public sealed record TextLine(string Text, float Confidence, IReadOnlyList<TextPoint> Box);

public readonly record struct TextPoint(float X, float Y);
