using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Embeddings;

/// <summary>Embeds text queries into the same space as an image embedder's pictures (CLIP's text tower).</summary>
public interface ITextEmbedder
{
    /// <summary>Stored vectors are compared with a query's only where this id is theirs.</summary>
    ModelIdentity Identity { get; }

    int Dimensions { get; }

    /// <returns>One unit-length vector per text, in input order.</returns>
    Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}
