using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference.Ocr;

/// <summary>
/// The SVTR/CRNN recogniser over every line of a micro-batch, then greedy CTC. Each line is padded (with 0, as
/// PaddleOCR pads) to a width that depends on that line alone: 320 (PaddleOCR's 48×320 input) or, for longer lines,
/// the next width of <see cref="InputShapes.LineWidth"/>. Lines of one padded width run together in sub-batches, so a
/// line reads the same whatever else is in the batch (the recogniser's attention sees the padding, and PaddleOCR's
/// batch-wide width would differ).
/// </summary>
internal sealed class LineRecognizer(OcrSession session, OcrDictionary dictionary, InputShapes shapes, int batchSize = 8)
{
    private const int Height = 48;

    /// <returns>Text and confidence per line, in input order.</returns>
    public (string Text, float Confidence)[] Read(IReadOnlyList<(OcrImage Image, Quad Box)> lines, RunOptions runOptions, CancellationToken cancellationToken)
    {
        var widths = lines.Select(l => LineCrop.ScaledWidth(l.Box, Height)).ToArray();
        var result = new (string, float)[lines.Count];
        var buckets = Enumerable.Range(0, lines.Count).GroupBy(i => shapes.LineWidth(widths[i])).OrderBy(g => g.Key);
        foreach (var bucket in buckets)
        {
            foreach (var batch in shapes.Batches(bucket, batchSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                Run(lines, widths, batch, bucket.Key, result, runOptions);
            }
        }

        return result;
    }

    private void Run(IReadOnlyList<(OcrImage Image, Quad Box)> lines, int[] widths, int[] batch, int width, (string, float)[] result, RunOptions runOptions)
    {
        var item = 3 * Height * width;
        var tensor = new float[batch.Length * item];
        for (var b = 0; b < batch.Length; b++)
        {
            var (image, box) = lines[batch[b]];
            LineCrop.Render(image, box, widths[batch[b]], Height, tensor.AsSpan(b * item, item), width);
        }

        var (output, shape) = session.Run(tensor, [batch.Length, 3, Height, width], runOptions);
        var steps = (int)shape[1];
        var classes = (int)shape[2];
        if (classes != dictionary.Count)
        {
            throw new InvalidDataException($"The recogniser has {classes} classes but the dictionary gives {dictionary.Count}; the model files do not belong together.");
        }

        for (var b = 0; b < batch.Length; b++)
        {
            result[batch[b]] = CtcDecoder.Decode(output.AsSpan(b * steps * classes, steps * classes), classes, dictionary);
        }
    }
}
