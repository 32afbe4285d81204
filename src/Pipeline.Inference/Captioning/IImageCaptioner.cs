using Pipeline.Imaging.Tensors;

namespace Pipeline.Inference.Captioning;

/// <summary>Describes a batch of preprocessed images in one encoder pass and one batched decoding loop.</summary>
public interface IImageCaptioner
{
    /// <summary>Stored with every caption, so captions of different models are never mixed up.</summary>
    string ModelId { get; }

    /// <summary>True for generated random-weight models: their captions must never be shown as alt-text.</summary>
    bool IsStandIn { get; }

    /// <summary>The pixel layout each image must be written in (from the model's preprocessor_config.json).</summary>
    PreprocessorConfig Preprocessing { get; }

    /// <param name="pixels"><paramref name="count"/> images, each <see cref="PreprocessorConfig.TensorLength"/> floats (CHW).</param>
    /// <returns>One caption per image, in input order.</returns>
    Task<IReadOnlyList<CaptionResult>> CaptionAsync(Memory<float> pixels, int count, CancellationToken cancellationToken);
}
