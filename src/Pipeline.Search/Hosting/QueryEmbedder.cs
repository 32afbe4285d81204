using Pipeline.Inference.Embeddings;

namespace Pipeline.Search.Hosting;

/// <summary>
/// The text tower queries go through, and the id of the image tower whose stored vectors it can be compared with:
/// the CLIP text tower of the worker's image embedder (same id), or a tower of its own such as M-CLIP
/// (<c>Models:QueryEmbedder</c>), paired with that image tower at start-up. None when <c>Models:ImageEmbedder:Path</c>
/// is empty: search then ranks by full text alone and classification has nothing to compare.
/// </summary>
internal sealed class QueryEmbedder(ITextEmbedder? embedder, string? imageModelId) : IDisposable
{
    public ITextEmbedder? Instance => embedder;

    /// <summary>The <c>embedding_model</c> of the rows whose vectors the query's are compared with.</summary>
    public string? ImageModelId => imageModelId;

    /// <summary>Whether the query tower is a generated stand-in: then every vector score it takes part in means nothing.</summary>
    public bool IsStandIn => embedder?.Identity.IsStandIn ?? false;

    public void Dispose() => (embedder as IDisposable)?.Dispose();
}
