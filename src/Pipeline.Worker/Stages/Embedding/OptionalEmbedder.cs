using Pipeline.Inference.Embeddings;

namespace Pipeline.Worker.Stages.Embedding;

/// <summary>The configured CLIP image tower, or none (Models:ImageEmbedder:Path empty): images then get no vector.</summary>
public sealed class OptionalEmbedder(IImageEmbedder? instance) : IDisposable
{
    public IImageEmbedder? Instance { get; } = instance;

    // The container disposes this wrapper, not the model it was handed: the model's ONNX sessions go with it.
    public void Dispose() => (Instance as IDisposable)?.Dispose();
}
