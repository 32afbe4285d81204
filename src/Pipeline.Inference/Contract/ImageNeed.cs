using Pipeline.Imaging.Tensors;

namespace Pipeline.Inference.Contract;

/// <summary>What a model needs from a decoded picture; <see cref="ModelInputs"/> prepares each need once per image.</summary>
public abstract record ImageNeed
{
    private protected ImageNeed()
    {
    }
}

/// <summary>The picture written as a tensor in this layout (size, resampling, normalisation), CHW floats.</summary>
public sealed record TensorNeed(PreprocessorConfig Layout) : ImageNeed;

/// <summary>The decoded picture itself, at the resolution decoding produced (the model resizes it as it must).</summary>
public sealed record PictureNeed : ImageNeed
{
    public static PictureNeed Instance { get; } = new();
}

/// <summary>The picture as a JPEG no larger than <paramref name="MaxSide"/> (for models reached over the network).</summary>
public sealed record JpegNeed(int MaxSide) : ImageNeed;
