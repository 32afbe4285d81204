using System.Numerics;

namespace Pipeline.Inference.Ocr;

/// <summary>
/// The input shapes the detector, classifier and recogniser run at. Free, as PaddleOCR runs them, nearly every photo
/// (its aspect ratio) and every text line (its length) is a new [N, C, H, W], and so is every batch size; on CUDA each
/// new shape costs a cuDNN algorithm search (exhaustive by default: many times the run itself) and ONNX Runtime's
/// arena keeps buffers for it. Bucketed (<see cref="OcrOptions.UseShapeBuckets"/>), shapes come from short ladders:
/// <list type="bullet">
/// <item>detection: each side of the detector's canvas is a multiple of 32 stepping down from the longest side by
/// <see cref="OcrOptions.DetectionBucketRatio"/>. A picture whose scaled side is within <see cref="MaxStretch"/> of a
/// canvas side is stretched to it (PaddleOCR's rounding to 32 already stretches small pictures more); otherwise it keeps
/// PaddleOCR's size and is padded up to the next one. At the default ratio nearly every side is stretched: no more
/// pixels than PaddleOCR computes. The canvas depends on the picture alone, so a picture reads the same in a batch as
/// alone even where it is padded (see <see cref="DetectionInput"/>).</item>
/// <item>recognition: a line is padded (with 0, as PaddleOCR pads) to 320 or the next of the multiples of 64 that
/// step up from it by <see cref="LineWidthRatio"/>, a width that depends on the line alone, as before.</item>
/// <item>batches: split into runs of the largest allowed size that fits (the configured size, or a power of two below
/// it), so no blank items are computed: 7 lines are 4 + 2 + 1.</item>
/// </list>
/// </summary>
internal sealed class InputShapes(bool buckets, double detectionRatio, int detectionMaxSide)
{
    /// <summary>
    /// The most a picture's side is stretched or squeezed to meet a canvas side: half a step of the default ratio (√1.25),
    /// so at that ratio every side from 96 up is stretched and none padded.
    /// </summary>
    private const double MaxStretch = 1.118;

    /// <summary>
    /// How far apart bucketed line widths are. Measured with <c>ocr --shapes</c>: 4 % more recognition work than free
    /// widths and the same lines read; 1.5 misread one line more of the 129.
    /// </summary>
    private const double LineWidthRatio = 1.25;

    private const int DetectionStep = 32;
    private const int MinLineWidth = 320;
    private const int LineWidthStep = 64;

    private readonly int[] _canvasSides = CanvasSides(detectionRatio, detectionMaxSide);

    public static InputShapes From(OcrOptions options) => new(options.UseShapeBuckets, options.DetectionBucketRatio, options.DetectionMaxSide);

    /// <summary>
    /// The detector's input for a picture of <paramref name="width"/>×<paramref name="height"/> scaled by
    /// <paramref name="scale"/>: the size the picture is resized to, and the canvas it is padded to (the same when not padded).
    /// </summary>
    public (DetectionSize Picture, DetectionSize Canvas) Detection(int width, int height, double scale)
    {
        var (pictureWidth, canvasWidth) = DetectionSide(width * scale);
        var (pictureHeight, canvasHeight) = DetectionSide(height * scale);
        return (new DetectionSize(pictureWidth, pictureHeight), new DetectionSize(canvasWidth, canvasHeight));
    }

    /// <summary>The width a line <paramref name="width"/> pixels wide (at height 48) is padded to.</summary>
    public int LineWidth(int width)
    {
        if (width <= MinLineWidth)
        {
            return MinLineWidth;
        }

        if (!buckets)
        {
            return (width + LineWidthStep - 1) / LineWidthStep * LineWidthStep;
        }

        var rung = (double)MinLineWidth;
        while (Round(rung, LineWidthStep) < width)
        {
            rung *= LineWidthRatio;
        }

        return Round(rung, LineWidthStep);
    }

    /// <summary><paramref name="items"/> in runs of at most <paramref name="max"/>.</summary>
    public IEnumerable<T[]> Batches<T>(IEnumerable<T> items, int max) => buckets ? Split([.. items], max) : items.Chunk(max);

    private static IEnumerable<T[]> Split<T>(T[] items, int max)
    {
        for (var start = 0; start < items.Length;)
        {
            var left = items.Length - start;
            var size = left >= max ? max : 1 << BitOperations.Log2((uint)left);
            yield return items[start..(start + size)];
            start += size;
        }
    }

    /// <returns>The side the picture is resized to, and the canvas side it is padded to.</returns>
    private (int Picture, int Canvas) DetectionSide(double side)
    {
        var paddle = Math.Max(Round(side, DetectionStep), DetectionStep);
        if (!buckets)
        {
            return (paddle, paddle);
        }

        var nearest = _canvasSides.MinBy(s => Math.Abs(Math.Log(s / side)));
        return Math.Abs(Math.Log(nearest / side)) <= Math.Log(MaxStretch)
            ? (nearest, nearest)
            : (paddle, _canvasSides.Where(s => s >= paddle).Min());
    }

    /// <summary>The canvas sides, largest first: the longest side, then multiples of 32 each about the ratio below the one before, down to 32.</summary>
    private static int[] CanvasSides(double ratio, int maxSide)
    {
        var sides = new List<int> { Math.Max(Round(maxSide, DetectionStep), DetectionStep) };
        for (var rung = (double)maxSide; sides[^1] > DetectionStep;)
        {
            rung /= ratio;
            var side = Math.Max(Round(rung, DetectionStep), DetectionStep);
            if (side < sides[^1])
            {
                sides.Add(side);
            }
        }

        return [.. sides];
    }

    private static int Round(double value, int step) => (int)Math.Round(value / step, MidpointRounding.ToEven) * step;
}
