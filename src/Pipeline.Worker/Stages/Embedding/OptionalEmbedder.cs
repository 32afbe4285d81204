using Pipeline.Inference.Embeddings;

namespace Pipeline.Worker.Stages.Embedding;

/// <summary>The configured CLIP image tower, or none (Models:ImageEmbedder:Path empty): images then get no vector.</summary>
public sealed class OptionalEmbedder(IImageEmbedder? instance)
{
    public IImageEmbedder? Instance { get; } = instance;
}
