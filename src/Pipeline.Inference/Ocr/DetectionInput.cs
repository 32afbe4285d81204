namespace Pipeline.Inference.Ocr;

/// <summary>
/// The detector's input for a micro-batch: each picture scaled so its longer side is at most the limit and both sides
/// are multiples of 32 (PaddleOCR's DetResizeForTest, limit type "max"), normalised with the ImageNet mean and std in
/// BGR channel order (PaddleOCR reads images with OpenCV and feeds them as BGR), at the top left of a canvas padded
/// with 0 (the mean colour). Padding is not neutral (past the first layer the padded area carries the convolutions'
/// biases into the border of the picture, and the detector's squeeze-and-excitation blocks average over the whole
/// canvas), so a picture must always get the same canvas, whatever else is in the batch: <see cref="InputShapes"/>
/// chooses it from the picture alone.
/// </summary>
internal sealed class DetectionInput
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    private DetectionInput(float[] tensor, int count, int height, int width)
    {
        Tensor = tensor;
        Count = count;
        Height = height;
        Width = width;
    }

    /// <summary>[Count, 3, Height, Width], channel 0 blue.</summary>
    public float[] Tensor { get; }

    public int Count { get; }

    public int Height { get; }

    public int Width { get; }

    public long[] Shape => [Count, 3, Height, Width];

    /// <summary>PaddleOCR's scale for a picture: 1, or less so that the longer side is at most <paramref name="maxSide"/>.</summary>
    public static double Scale(int width, int height, int maxSide) =>
        Math.Max(width, height) > maxSide ? (double)maxSide / Math.Max(width, height) : 1.0;

    /// <param name="sizes">The size each picture is scaled to.</param>
    /// <param name="canvas">The input size of every picture, at least each of <paramref name="sizes"/>.</param>
    public static DetectionInput Build(IReadOnlyList<OcrImage> images, IReadOnlyList<DetectionSize> sizes, DetectionSize canvas)
    {
        var plane = canvas.Height * canvas.Width;
        var tensor = new float[images.Count * 3 * plane];
        for (var n = 0; n < images.Count; n++)
        {
            var (width, height) = sizes[n];
            var rgba = images[n].ResizedRgba(width, height);
            var offset = n * 3 * plane;
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var p = (y * width + x) * 4;
                    var t = offset + y * canvas.Width + x;
                    tensor[t] = (rgba[p + 2] / 255f - Mean[0]) / Std[0];
                    tensor[t + plane] = (rgba[p + 1] / 255f - Mean[1]) / Std[1];
                    tensor[t + 2 * plane] = (rgba[p] / 255f - Mean[2]) / Std[2];
                }
            }
        }

        return new DetectionInput(tensor, images.Count, canvas.Height, canvas.Width);
    }
}
