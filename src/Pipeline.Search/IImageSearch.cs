namespace Pipeline.Search;

/// <summary>
/// Finding an owner's described pictures: by a description (CLIP text embedding, combined with full-text matches over
/// alt-text and OCR text), by an example picture already stored, and zero-shot classification over labels.
/// Every call is scoped to one owner; nothing of another owner's is ever read.
/// </summary>
public interface IImageSearch
{
    Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken cancellationToken);

    /// <summary>Pictures nearest to a stored picture of the same owner (itself excluded). Null when the owner has no such image.</summary>
    Task<SearchPage?> SimilarAsync(SimilarQuery query, CancellationToken cancellationToken);

    /// <summary>The best label per picture (all of the owner's pictures, or the listed ones), from CLIP similarities.</summary>
    Task<ClassificationPage> ClassifyAsync(ClassifyQuery query, CancellationToken cancellationToken);
}

/// <param name="Page">1-based.</param>
/// <param name="MinScore">Hits scoring below this are left out (scores are documented on <see cref="SearchHit.Score"/>).</param>
public sealed record SearchQuery(string OwnerId, string Text, int Page = 1, int PageSize = 20, double? MinScore = null);

public sealed record SimilarQuery(string OwnerId, string ImageId, int Page = 1, int PageSize = 20, double? MinScore = null);

/// <param name="ImageIds">When given, only these of the owner's pictures; otherwise all of them (paged).</param>
public sealed record ClassifyQuery(string OwnerId, IReadOnlyList<string> Labels, IReadOnlyList<string>? ImageIds = null, int Page = 1, int PageSize = 20);

/// <param name="Score">The combined score the hits are ranked by (higher is better).</param>
/// <param name="Similarity">Cosine similarity of the query and picture embeddings, when the picture has one.</param>
/// <param name="TextRank">Full-text rank over caption and OCR text, when the words matched.</param>
/// <param name="StandInModels">True when a generated random-weight model described the picture: its vector and caption mean nothing.</param>
public sealed record SearchHit(
    string ImageId,
    double Score,
    double? Similarity,
    double? TextRank,
    string? AltText,
    string? Caption,
    string? OcrText,
    string? SourceUri,
    int? Width,
    int? Height,
    DateTimeOffset CreatedAt,
    bool StandInModels = false);

public sealed record SearchPage(IReadOnlyList<SearchHit> Hits, int Page, int PageSize, bool HasMore, string? EmbeddingModelId);

/// <param name="Scores">Every label's probability (softmax over CLIP logits), in the order asked.</param>
/// <param name="StandInModels">True when a generated random-weight model embedded the picture: the label means nothing.</param>
public sealed record Classification(
    string ImageId, string Label, double Probability, IReadOnlyDictionary<string, double> Scores, string? AltText, bool StandInModels = false);

public sealed record ClassificationPage(IReadOnlyList<Classification> Items, int Page, int PageSize, bool HasMore, string? EmbeddingModelId);
