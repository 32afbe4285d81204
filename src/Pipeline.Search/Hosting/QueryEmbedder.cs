using Pipeline.Inference.Embeddings;

namespace Pipeline.Search.Hosting;

/// <summary>
/// The text tower of the CLIP model the worker embeds pictures with, or none when <c>Models:ImageEmbedder:Path</c> is
/// empty: search then ranks by full text alone and classification has nothing to compare.
/// </summary>
internal sealed class QueryEmbedder(ITextEmbedder? embedder) : IDisposable
{
    public ITextEmbedder? Instance => embedder;

    public void Dispose() => (embedder as IDisposable)?.Dispose();
}
