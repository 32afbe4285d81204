namespace Pipeline.Storage.Entities;

/// <summary>
/// One row per announced image (table <c>images</c>), written whole, in a final state; replaced whole (never
/// updated in place) only when a new version of its source is described.
/// </summary>
public sealed class ImageRecord
{
    public const int MaxSourceTypeLength = 16;

    public const int MaxCaptionTaskLength = 32;

    /// <summary>The producer's ImageId: the primary key that makes every write idempotent.</summary>
    public required string Id { get; set; }

    public required string OwnerId { get; set; }

    public required string Status { get; set; }

    public required string SourceType { get; set; }

    public string? SourceUri { get; set; }

    /// <summary>
    /// The version of the source this row describes (a blob's ETag, as read), when known. A message naming another
    /// version is described again and replaces the row; see <c>StoredResults</c> in the worker.
    /// </summary>
    public string? SourceVersion { get; set; }

    /// <summary>Lowercase hex SHA-256 of the bytes, when they could be fetched.</summary>
    public string? ContentSha256 { get; set; }

    public int? Width { get; set; }

    public int? Height { get; set; }

    public int? ProcessedWidth { get; set; }

    public int? ProcessedHeight { get; set; }

    public string? FailureReason { get; set; }

    public string? FailureMessage { get; set; }

    public string? AltText { get; set; }

    public string? Caption { get; set; }

    /// <summary>All text read in the picture, one line per line (alt-text carries a shortened form).</summary>
    public string? OcrText { get; set; }

    /// <summary>The lines with boxes and confidences, as JSON: [{"text", "confidence", "box": [[x, y] ×4]}].</summary>
    public string? OcrLines { get; set; }

    public string? OcrModelId { get; set; }

    /// <summary>Text regions found in the picture that the text reader could not read (its alphabet lacks their script).</summary>
    public int? OcrUnreadRegions { get; set; }

    /// <summary>A paragraph describing the picture, beside the one-sentence alt-text (for <c>aria-describedby</c>).</summary>
    public string? LongDescription { get; set; }

    /// <summary>Objects found in the picture, as JSON: [{"label", "box": [x1, y1, x2, y2]}] in original-image pixels.</summary>
    public string? Objects { get; set; }

    public string? EmbeddingModelId { get; set; }

    /// <summary>The model that wrote <see cref="Caption"/> (and so <see cref="AltText"/>).</summary>
    public string? CaptionModelId { get; set; }

    /// <summary>The task the message asked of the captioner (<c>CaptionTaskKinds</c>); null for a plain caption.</summary>
    public string? CaptionTask { get; set; }

    /// <summary>The captioner's answer to <see cref="CaptionTask"/>: a detailed caption, the text read, a label, an answer.</summary>
    public string? Answer { get; set; }

    /// <summary>Prompt tokens the OpenAI-compatible provider billed for this image (its share of the request).</summary>
    public int? CaptionInputTokens { get; set; }

    /// <summary>Completion tokens the provider billed for this image (its share of the request).</summary>
    public int? CaptionOutputTokens { get; set; }

    /// <summary>True when a generated random-weight model produced any part of the result.</summary>
    public bool StandInModels { get; set; }

    public Dictionary<string, double> TimingsMs { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<ImageEmbeddingRecord> Embeddings { get; set; } = [];
}
