using Microsoft.AspNetCore.Mvc;
using Pipeline.Api.Hosting;
using Pipeline.Api.Images;
using Pipeline.Api.Owners;
using Pipeline.Search;

namespace Pipeline.Api.Search;

/// <summary>Finding pictures (the original's getBestPictures): by a description, by an example, and zero-shot classification.</summary>
public static class SearchEndpoints
{
    private const int MaxQueryLength = 1000;
    private const int MaxLabels = 50;

    public static RouteGroupBuilder MapSearchEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGet("/search", SearchAsync)
            .WithTags("Search")
            .WithSummary("The owner's pictures that match a description, best first")
            .Produces<SearchPageView>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        v1.MapGet("/images/{id}/similar", SimilarAsync)
            .WithTags("Search")
            .WithSummary("The owner's pictures nearest to one of theirs (itself left out)")
            .Produces<SearchPageView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapPost("/classify", ClassifyAsync)
            .WithTags("Search")
            .WithSummary("The best of the given labels for each picture")
            .Produces<ClassificationPageView>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return v1;
    }

    private static async Task<IResult> SearchAsync(
        HttpContext http, [FromServices] IImageSearch search, CancellationToken cancellationToken,
        string? q = null, int page = 1, int pageSize = 20, double? minScore = null)
    {
        if (string.IsNullOrWhiteSpace(q) || q.Length > MaxQueryLength)
        {
            return ApiProblems.BadRequest($"q must be a description of 1–{MaxQueryLength} characters.");
        }

        if (ImageEndpoints.PagingProblem(page, pageSize) is { } paging)
        {
            return paging;
        }

        var owner = http.User.Owner();
        var found = await search.SearchAsync(new SearchQuery(owner, q.Trim(), page, pageSize, minScore), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(SearchPageView.From(owner, found));
    }

    private static async Task<IResult> SimilarAsync(
        string id, HttpContext http, [FromServices] IImageSearch search, ImageCatalog catalog, CancellationToken cancellationToken,
        int page = 1, int pageSize = 20, double? minScore = null)
    {
        id = ImageRouteId.Decode(id);
        if (ImageEndpoints.PagingProblem(page, pageSize) is { } paging)
        {
            return paging;
        }

        var owner = http.User.Owner();
        if (await catalog.FindAsync(owner, id, cancellationToken).ConfigureAwait(false) is not { } row)
        {
            return ImageEndpoints.UnknownImage(id);
        }

        var found = await search.SimilarAsync(new SimilarQuery(owner, row.Id, page, pageSize, minScore), cancellationToken).ConfigureAwait(false);
        return found is null ? ImageEndpoints.UnknownImage(id) : TypedResults.Ok(SearchPageView.From(owner, found));
    }

    private static async Task<IResult> ClassifyAsync(
        ClassifyRequest request, HttpContext http, [FromServices] IImageSearch search, ImageCatalog catalog, CancellationToken cancellationToken)
    {
        var labels = request.Labels?.Select(l => l.Trim()).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList() ?? [];
        if (labels.Count is < 2 or > MaxLabels)
        {
            return ApiProblems.BadRequest($"labels must hold 2–{MaxLabels} different labels.");
        }

        if (ImageEndpoints.PagingProblem(request.Page, request.PageSize) is { } paging)
        {
            return paging;
        }

        var owner = http.User.Owner();
        List<string>? rowIds = null;
        if (request.ImageIds is { Count: > 0 } ids)
        {
            var rows = await catalog.FindManyAsync(owner, ids, cancellationToken).ConfigureAwait(false);
            var unknown = ids.FirstOrDefault(id => !rows.ContainsKey(id));
            if (unknown is not null)
            {
                return ImageEndpoints.UnknownImage(unknown);
            }

            rowIds = ids.Select(id => rows[id].Id).ToList();
        }

        var classified = await search.ClassifyAsync(
            new ClassifyQuery(owner, labels, rowIds, request.Page, request.PageSize), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(ClassificationPageView.From(owner, classified));
    }
}
