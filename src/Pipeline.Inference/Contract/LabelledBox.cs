namespace Pipeline.Inference.Contract;

/// <summary>A labelled axis-aligned box in original-image pixels: (x1, y1) top-left, (x2, y2) bottom-right.</summary>
public sealed record LabelledBox(string Label, float X1, float Y1, float X2, float Y2);
