namespace Pipeline.Inference.Ocr;

/// <summary>
/// The detector's input for a micro-batch: each picture scaled so its longer side is at most the limit and both sides
/// are multiples of 32 (PaddleOCR's DetResizeForTest, limit type "max"), normalised with the ImageNet mean and std in
/// BGR channel order (PaddleOCR reads images with OpenCV and feeds them as BGR), and padded to the batch's largest size.
/// </summary>
internal sealed class DetectionInput
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    private DetectionInput(float[] tensor, int count, int height, int width, (int Width, int Height)[] sizes)
    {
        Tensor = tensor;
        Count = count;
        Height = height;
        Width = width;
        Sizes = sizes;
    }

    /// <summary>[Count, 3, Height, Width], channel 0 blue.</summary>
    public float[] Tensor { get; }

    public int Count { get; }

    public int Height { get; }

    public int Width { get; }

    /// <summary>Each picture's scaled size inside the padded tensor (top-left aligned).</summary>
    public IReadOnlyList<(int Width, int Height)> Sizes { get; }

    public long[] Shape => [Count, 3, Height, Width];

    /// <summary>The scaled size PaddleOCR gives a picture: longer side ≤ <paramref name="maxSide"/>, both sides rounded to a multiple of 32.</summary>
    public static (int Width, int Height) ScaledSize(int width, int height, int maxSide)
    {
        var ratio = Math.Max(width, height) > maxSide ? (double)maxSide / Math.Max(width, height) : 1.0;
        return (RoundTo32(width * ratio), RoundTo32(height * ratio));
    }

    internal static bool ExperimentRgb;
    internal static float ExperimentPad;

    /// <summary>The size for a picture scaled by <paramref name="scale"/>, both sides rounded to a multiple of 32.</summary>
    public static (int Width, int Height) ScaledSize(int width, int height, double scale) => (RoundTo32(width * scale), RoundTo32(height * scale));

    public static DetectionInput Build(IReadOnlyList<OcrImage> images, IReadOnlyList<(int Width, int Height)> sizes)
    {
        var height = sizes.Max(s => s.Height);
        var width = sizes.Max(s => s.Width);
        var plane = height * width;

        // Padding is 0 after normalisation, the value the network's own zero-padding gives at every border, so a picture
        // padded in a batch is read as it is read alone.
        var tensor = new float[images.Count * 3 * plane];
        if (ExperimentPad != 0) { Array.Fill(tensor, ExperimentPad); }
        for (var n = 0; n < images.Count; n++)
        {
            var (w, h) = sizes[n];
            var rgba = images[n].ResizedRgba(w, h);
            var offset = n * 3 * plane;
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    var p = (y * w + x) * 4;
                    var t = offset + y * width + x;
                    var (c0, c2) = ExperimentRgb ? (rgba[p], rgba[p + 2]) : (rgba[p + 2], rgba[p]);
                    tensor[t] = (c0 / 255f - Mean[0]) / Std[0];
                    tensor[t + plane] = (rgba[p + 1] / 255f - Mean[1]) / Std[1];
                    tensor[t + 2 * plane] = (c2 / 255f - Mean[2]) / Std[2];
                }
            }
        }

        return new DetectionInput(tensor, images.Count, height, width, [.. sizes]);
    }

    private static int RoundTo32(double side) => Math.Max((int)Math.Round(side / 32, MidpointRounding.ToEven) * 32, 32);
}
