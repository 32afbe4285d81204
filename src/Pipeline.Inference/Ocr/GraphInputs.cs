namespace Pipeline.Inference.Ocr;

/// <summary>What one graph has been given so far.</summary>
/// <param name="Shapes">
/// Its distinct input shapes, batch dimension included ("1×3×48×320"): on CUDA each new one costs cuDNN an algorithm
/// search and ONNX Runtime's arena a new set of buffers (see <see cref="InputShapes"/>).
/// </param>
/// <param name="Values">The values in all its inputs, padding included: the work asked of it.</param>
internal sealed record GraphInputs(IReadOnlyCollection<string> Shapes, long Values);
