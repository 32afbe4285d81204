namespace Pipeline.Inference.Ocr;

/// <summary>The text lines found in one image, in reading order.</summary>
public sealed record OcrResult(IReadOnlyList<OcrLine> Lines)
{
    public static OcrResult Empty { get; } = new([]);

    /// <summary>All lines, one per line of text, or null when the image shows no text.</summary>
    public string? Text => Lines.Count == 0 ? null : string.Join('\n', Lines.Select(l => l.Text));
}

/// <param name="Text">The recognised characters.</param>
/// <param name="Confidence">Mean probability of the recognised characters, 0..1.</param>
/// <param name="Box">The line's quadrilateral in the image's pixel coordinates: top-left, top-right, bottom-right, bottom-left.</param>
public sealed record OcrLine(string Text, float Confidence, IReadOnlyList<OcrPoint> Box);

public readonly record struct OcrPoint(float X, float Y);
