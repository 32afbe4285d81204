using Pgvector;

namespace Pipeline.Storage.Entities;

/// <summary>
/// One vector per image and model (table <c>image_embeddings</c>), so a model change re-embeds beside the old
/// vectors instead of replacing them before the new set is complete.
/// </summary>
public sealed class ImageEmbeddingRecord
{
    public const int Dimensions = 512;

    public required string ImageId { get; set; }

    public required string ModelId { get; set; }

    public required Vector Embedding { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
