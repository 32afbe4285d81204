using Pipeline.Imaging.Tensors;

namespace Pipeline.Inference.Embeddings;

/// <summary>Turns a batch of preprocessed images into L2-normalised embeddings in one forward pass.</summary>
public interface IImageEmbedder
{
    /// <summary>Stored with every vector, so vectors of different models are never compared.</summary>
    string ModelId { get; }

    /// <summary>True for generated random-weight models: their output must never be shown as a real result.</summary>
    bool IsStandIn { get; }

    int Dimensions { get; }

    /// <summary>The pixel layout each image must be written in before <see cref="EmbedAsync"/>.</summary>
    PreprocessorConfig Preprocessing { get; }

    /// <param name="pixels"><paramref name="count"/> images, each <see cref="PreprocessorConfig.TensorLength"/> floats (CHW), back to back.</param>
    /// <returns>One unit-length vector per image, in input order.</returns>
    Task<float[][]> EmbedAsync(Memory<float> pixels, int count, CancellationToken cancellationToken);
}
