using Pipeline.Api.Images;
using Pipeline.Api.Owners;
using Pipeline.Contracts;
using Pipeline.Search;

namespace Pipeline.Api.Search;

/// <param name="Score">What the hits are ranked by (higher is better).</param>
/// <param name="Similarity">Cosine similarity of the query and picture embeddings.</param>
/// <param name="TextRank">Full-text rank over the caption and the text in the picture, when words matched.</param>
/// <param name="StandInModels">True when a generated random-weight model described the picture: its rank means nothing.</param>
public sealed record SearchHitView(
    string Id,
    double Score,
    double? Similarity,
    double? TextRank,
    string? AltText,
    string? Caption,
    string? OcrText,
    int? Width,
    int? Height,
    DateTimeOffset CreatedAt,
    bool StandInModels,
    ImageLinks Links)
{
    public static SearchHitView From(string owner, SearchHit hit)
    {
        var id = ImageIds.ShownId(owner, hit.ImageId);
        return new SearchHitView(id, hit.Score, hit.Similarity, hit.TextRank, hit.AltText, hit.Caption, hit.OcrText, hit.Width, hit.Height, hit.CreatedAt, hit.StandInModels, ImageLinks.For(id));
    }
}

public sealed record SearchPageView(IReadOnlyList<SearchHitView> Hits, int Page, int PageSize, bool HasMore, string? EmbeddingModelId)
{
    public static SearchPageView From(string owner, SearchPage page) =>
        new(page.Hits.Select(hit => SearchHitView.From(owner, hit)).ToList(), page.Page, page.PageSize, page.HasMore, page.EmbeddingModelId);
}

/// <param name="Labels">The labels to choose from (zero-shot, from CLIP similarities).</param>
/// <param name="ImageIds">Only these images; all of the owner's when absent.</param>
public sealed record ClassifyRequest(IReadOnlyList<string>? Labels, IReadOnlyList<string>? ImageIds, int Page = 1, int PageSize = 20);

/// <param name="Scores">Every label's probability, in the order asked.</param>
/// <param name="StandInModels">True when a generated random-weight model embedded the picture: the label means nothing.</param>
public sealed record ClassificationView(
    string Id, string Label, double Probability, IReadOnlyDictionary<string, double> Scores, string? AltText, bool StandInModels, ImageLinks Links);

public sealed record ClassificationPageView(IReadOnlyList<ClassificationView> Items, int Page, int PageSize, bool HasMore, string? EmbeddingModelId)
{
    public static ClassificationPageView From(string owner, ClassificationPage page) => new(
        page.Items.Select(item =>
        {
            var id = ImageIds.ShownId(owner, item.ImageId);
            return new ClassificationView(id, item.Label, item.Probability, item.Scores, item.AltText, item.StandInModels, ImageLinks.For(id));
        }).ToList(),
        page.Page,
        page.PageSize,
        page.HasMore,
        page.EmbeddingModelId);
}
