using System.Buffers;
using Pipeline.Contracts;
using Pipeline.Imaging;
using Pipeline.Imaging.Tensors;
using SkiaSharp;

namespace Pipeline.Inference.Contract;

/// <summary>
/// One image's inputs to the enabled models, each need prepared once from the decoded picture. Whoever prepares them
/// owns them: disposing returns the pooled tensors and the picture, which the owner does once every model of the pass
/// has run (models only read them).
/// </summary>
public sealed class ModelInputs : IDisposable
{
    private readonly Dictionary<PreprocessorConfig, float[]> _tensors = [];
    private readonly Dictionary<int, byte[]> _jpegs = [];
    private DecodedImage? _picture;

    private ModelInputs(string imageId, CaptionTask? task, int originalWidth, int originalHeight)
    {
        ImageId = imageId;
        Task = task;
        (OriginalWidth, OriginalHeight) = (originalWidth, originalHeight);
    }

    public string ImageId { get; }

    /// <summary>The picture's size as uploaded (after orientation): what a model that places boxes places them in.</summary>
    public int OriginalWidth { get; }

    public int OriginalHeight { get; }

    /// <summary>What the image's message asks of the captioner besides the alt-text, if anything.</summary>
    public CaptionTask? Task { get; }

    /// <summary>The decoded picture, when some model asked for it (<see cref="PictureNeed"/>).</summary>
    public SKBitmap Picture => (_picture ?? throw new InvalidOperationException("No model asked for the picture.")).Bitmap;

    /// <summary>
    /// Prepares every need of <paramref name="needs"/> from <paramref name="image"/> (CPU work: call it off the device's
    /// passes). Takes the picture over when a model needs it, and disposes it otherwise.
    /// </summary>
    public static ModelInputs Prepare(string imageId, CaptionTask? task, DecodedImage image, IEnumerable<ImageNeed> needs)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(needs);
        var inputs = new ModelInputs(imageId, task, image.OriginalWidth, image.OriginalHeight);
        try
        {
            foreach (var need in needs.Distinct())
            {
                inputs.Add(need, image);
            }
        }
        catch
        {
            inputs.Dispose();
            image.Dispose();
            throw;
        }

        if (inputs._picture is null)
        {
            image.Dispose();
        }

        return inputs;
    }

    /// <summary>The image's tensor in <paramref name="layout"/>: <see cref="PreprocessorConfig.TensorLength"/> floats.</summary>
    public ReadOnlySpan<float> Tensor(PreprocessorConfig layout) =>
        _tensors.TryGetValue(layout, out var pixels)
            ? pixels.AsSpan(0, layout.TensorLength)
            : throw new InvalidOperationException("No model asked for a tensor in this layout.");

    /// <summary>The image as a JPEG of at most <paramref name="maxSide"/> on its longer side.</summary>
    public ReadOnlyMemory<byte> Jpeg(int maxSide) =>
        _jpegs.TryGetValue(maxSide, out var jpeg) ? jpeg : throw new InvalidOperationException($"No model asked for a JPEG of {maxSide} pixels.");

    public void Dispose()
    {
        foreach (var pixels in _tensors.Values)
        {
            ArrayPool<float>.Shared.Return(pixels);
        }

        _tensors.Clear();
        _jpegs.Clear();
        _picture?.Dispose();
        _picture = null;
    }

    private void Add(ImageNeed need, DecodedImage image)
    {
        switch (need)
        {
            case TensorNeed { Layout: var layout } when !_tensors.ContainsKey(layout):
                var pixels = ArrayPool<float>.Shared.Rent(layout.TensorLength);
                _tensors[layout] = pixels;
                TensorWriter.Write(image.Bitmap, layout, pixels.AsSpan(0, layout.TensorLength));
                break;
            case JpegNeed { MaxSide: var side } when !_jpegs.ContainsKey(side):
                _jpegs[side] = JpegExport.Encode(image, side);
                break;
            case PictureNeed:
                _picture = image;
                break;
        }
    }
}
