using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference.Ocr;

/// <summary>
/// The SVTR/CRNN recogniser over every line of a micro-batch: lines sorted by aspect so each sub-batch pads little,
/// each sub-batch padded (with 0) to its widest line and at least 320 wide (PaddleOCR's max_wh_ratio), then greedy CTC.
/// </summary>
internal sealed class LineRecognizer(OcrSession session, OcrDictionary dictionary, int batchSize = 8)
{
    private const int Height = 48;
    private const int MinWidth = 320;

    /// <returns>Text and confidence per line, in input order.</returns>
    public (string Text, float Confidence)[] Read(IReadOnlyList<(OcrImage Image, Quad Box)> lines, RunOptions runOptions, CancellationToken cancellationToken)
    {
        var widths = lines.Select(l => LineCrop.ScaledWidth(l.Box, Height)).ToArray();
        var order = Enumerable.Range(0, lines.Count).OrderBy(i => widths[i]).ThenBy(i => i).ToArray();
        var result = new (string, float)[lines.Count];
        for (var start = 0; start < order.Length; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
            var width = Math.Max(MinWidth, batch.Max(i => widths[i]));
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

        return result;
    }
}
