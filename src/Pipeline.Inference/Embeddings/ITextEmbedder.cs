namespace Pipeline.Inference.Embeddings;

/// <summary>Embeds text queries into the same space as <see cref="IImageEmbedder"/> (CLIP's text tower).</summary>
public interface ITextEmbedder
{
    string ModelId { get; }

    bool IsStandIn { get; }

    int Dimensions { get; }

    /// <returns>One unit-length vector per text, in input order.</returns>
    Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}
