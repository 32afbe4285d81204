namespace Pipeline.Inference.Ocr;

/// <summary>A width and height at the detector's input.</summary>
internal readonly record struct DetectionSize(int Width, int Height);
