using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference.Ocr;

/// <summary>
/// PaddleOCR's 0°/180° text-line classifier: each line scaled to height 48 (width up to 192, squeezed when longer),
/// padded with 0; class 1 ("180") with probability above 0.9 means the line is upside down.
/// </summary>
internal sealed class AngleClassifier(OcrSession session, InputShapes shapes, int batchSize = 16)
{
    private const int Height = 48;
    private const int Width = 192;
    private const float Threshold = 0.9f;

    /// <returns>For each box, whether it reads upside down.</returns>
    public bool[] UpsideDown(IReadOnlyList<(OcrImage Image, Quad Box)> lines, RunOptions runOptions, CancellationToken cancellationToken)
    {
        var result = new bool[lines.Count];
        var item = Height * Width * 3;
        foreach (var batch in shapes.Batches(Enumerable.Range(0, lines.Count), batchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var tensor = new float[batch.Length * item];
            for (var i = 0; i < batch.Length; i++)
            {
                var (image, box) = lines[batch[i]];
                LineCrop.Render(image, box, Math.Min(Width, LineCrop.ScaledWidth(box, Height)), Height, tensor.AsSpan(i * item, item), Width);
            }

            var (output, _) = session.Run(tensor, [batch.Length, 3, Height, Width], runOptions);
            for (var i = 0; i < batch.Length; i++)
            {
                result[batch[i]] = output[i * 2 + 1] > output[i * 2] && output[i * 2 + 1] > Threshold;
            }
        }

        return result;
    }
}
