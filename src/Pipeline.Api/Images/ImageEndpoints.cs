using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Pipeline.Api.Hosting;
using Pipeline.Api.Owners;
using Pipeline.Api.Uploads;
using Pipeline.Contracts;
using Pipeline.Storage.Entities;

namespace Pipeline.Api.Images;

/// <summary>Upload an image, read its result, list an owner's images, fetch the bytes or a thumbnail.</summary>
public static class ImageEndpoints
{
    private const int MaxPageSize = 100;

    /// <summary>About one render of a large original with today's decoder.</summary>
    private const int BusyRetrySeconds = 5;

    public static RouteGroupBuilder MapImageEndpoints(this RouteGroupBuilder v1)
    {
        var images = v1.MapGroup("/images").WithTags("Images");
        images.MapPost("/", UploadAsync)
            .WithSummary("Upload an image to describe")
            .WithDescription("The raw body with its content type (id from ?id=), or a multipart form with one 'file' part (and an optional 'id' field). " +
                "Without an id one is generated. 202 with the status URL in Location; uploading the same bytes under the same id again is accepted again.")
            .AcceptsImages(several: false)
            .Produces<ImageView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        images.MapGet("/", ListAsync)
            .WithSummary("The owner's processed images, newest first")
            .Produces<ImagePage>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        images.MapGet("/{id}", GetAsync)
            .WithSummary("An image's result: 200 described or failed, 202 while pending")
            .Produces<ImageView>()
            .Produces<ImageView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
        images.MapGet("/{id}/content", ContentAsync)
            .WithSummary("The image's bytes, or a WebP thumbnail for ?width=16..2048")
            .WithDescription("The thumbnail has the smallest stored width at least as wide as asked (64, 128, 256, 512, 768, 1024, 1536 or 2048 " +
                "pixels; never wider than the image), made once and then served from the store. 503 with Retry-After while too many are being made.")
            .Produces<byte[]>(StatusCodes.Status200OK, "image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return v1;
    }

    private static async Task<IResult> UploadAsync(
        HttpRequest request, UploadReader reader, ImageIntake intake, CancellationToken cancellationToken)
    {
        var (images, problem) = await reader.ReadAsync(request, 1, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var taken = await intake.AcceptAsync(request.HttpContext.User.Owner(), images!, cancellationToken).ConfigureAwait(false);
        if (taken is not null)
        {
            return IdTaken(taken);
        }

        var view = ImageView.PendingFor(images![0].ImageId);
        return TypedResults.Accepted(view.Links.Self, view);
    }

    private static async Task<IResult> GetAsync(
        string id, HttpContext http, ImageCatalog catalog, ImageBlobs blobs, CancellationToken cancellationToken)
    {
        id = ImageRouteId.Decode(id);
        var owner = http.User.Owner();
        if (await catalog.FindAsync(owner, id, cancellationToken).ConfigureAwait(false) is { } row)
        {
            return TypedResults.Ok(ImageView.FromRecord(owner, row));
        }

        if (ImageIds.IsValidImageId(id) && await blobs.Blob(owner, id).ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            var pending = ImageView.PendingFor(id);
            http.Response.Headers.RetryAfter = "1";
            return TypedResults.Accepted(pending.Links.Self, pending);
        }

        return UnknownImage(id);
    }

    private static async Task<IResult> ListAsync(
        HttpContext http, ImageCatalog catalog, CancellationToken cancellationToken, int page = 1, int pageSize = 20, string? status = null)
    {
        if (PagingProblem(page, pageSize) is { } paging)
        {
            return paging;
        }

        if (status is not (null or ImageStatus.Described or ImageStatus.Failed))
        {
            return ApiProblems.BadRequest($"status must be '{ImageStatus.Described}' or '{ImageStatus.Failed}' (pending images have no result to list yet).");
        }

        var owner = http.User.Owner();
        var (rows, hasMore) = await catalog.ListAsync(owner, status, page, pageSize, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new ImagePage(rows.Select(row => ImageView.FromRecord(owner, row)).ToList(), page, pageSize, hasMore));
    }

    private static async Task<IResult> ContentAsync(
        string id,
        HttpContext http,
        ImageCatalog catalog,
        ImageBlobs blobs,
        ThumbnailBlobs thumbnails,
        ThumbnailRenders renders,
        IOptions<ApiOptions> options,
        CancellationToken cancellationToken,
        int? width = null)
    {
        id = ImageRouteId.Decode(id);
        if (width is < ThumbnailWidths.Min or > ThumbnailWidths.Max)
        {
            return ApiProblems.BadRequest($"width must be {ThumbnailWidths.Min}–{ThumbnailWidths.Max} pixels.");
        }

        var owner = http.User.Owner();
        var blob = await FindBlobAsync(owner, id, catalog, blobs, cancellationToken).ConfigureAwait(false);
        if (blob is null)
        {
            return UnknownImage(id);
        }

        BlobProperties properties;
        try
        {
            properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return UnknownImage(id);
        }

        // An id's bytes never change, so the blob's ETag (and the stored width) names this response for good.
        var storedWidth = width is null ? (int?)null : ThumbnailWidths.StoredFor(width.Value);
        var etag = new EntityTagHeaderValue($"\"{properties.ETag.ToString().Trim('"')}{(storedWidth is null ? "" : $"-w{storedWidth}")}\"");
        var headers = http.Response.GetTypedHeaders();
        headers.ETag = etag;
        headers.CacheControl = new CacheControlHeaderValue { Private = true, MaxAge = TimeSpan.FromHours(1) };
        http.Response.Headers.Vary = $"{OwnerAuthenticationHandler.OwnerHeader}, {OwnerAuthenticationHandler.ApiKeyHeader}";
        if (http.Request.GetTypedHeaders().IfNoneMatch.Any(tag => tag.Compare(etag, useStrongComparison: false)))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        if (storedWidth is null)
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return TypedResults.Stream(download.Value.Content, properties.ContentType ?? "application/octet-stream");
        }

        if (properties.ContentLength > options.Value.MaxImageBytes)
        {
            return ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "No thumbnail",
                $"The image has {properties.ContentLength:N0} bytes, more than Api:MaxImageBytes: no thumbnail is made of it.", FailureReasons.TooManyBytes);
        }

        return await ThumbnailAsync(http, owner, blob, properties.ETag, storedWidth.Value, thumbnails, renders, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored thumbnail, or one made now (once, however many ask at the same time) and stored for next time.</summary>
    private static async Task<IResult> ThumbnailAsync(
        HttpContext http,
        string owner,
        BlobClient original,
        ETag originalETag,
        int width,
        ThumbnailBlobs thumbnails,
        ThumbnailRenders renders,
        CancellationToken cancellationToken)
    {
        var thumbnail = thumbnails.Blob(owner, original, originalETag, width);
        if (await thumbnails.OpenAsync(thumbnail, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            return TypedResults.Stream(stored, Thumbnails.MediaType);
        }

        try
        {
            var made = await renders.RenderAsync(original, originalETag, thumbnail, width, cancellationToken).ConfigureAwait(false);
            return TypedResults.File(made, Thumbnails.MediaType);
        }
        catch (ImageRejectedException e)
        {
            return ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "No thumbnail", e.Message, e.Reason);
        }
        catch (ThumbnailsBusyException e)
        {
            return TryAgainSoon(http, e.Message, BusyRetrySeconds);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return TryAgainSoon(http, "The image changed while its thumbnail was being made; ask again.", 1);
        }
    }

    /// <summary>503 with Retry-After, kept out of every cache: the ETag and max-age set above were for a thumbnail.</summary>
    private static ProblemHttpResult TryAgainSoon(HttpContext http, string detail, int retryAfterSeconds)
    {
        http.Response.Headers.ETag = default;
        http.Response.GetTypedHeaders().CacheControl = new CacheControlHeaderValue { NoStore = true };
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "Try again shortly", detail);
    }

    /// <summary>The blob a stored row names (it belongs to the row's owner), or for a pending upload the owner's own blob.</summary>
    private static async Task<BlobClient?> FindBlobAsync(
        string owner, string id, ImageCatalog catalog, ImageBlobs blobs, CancellationToken cancellationToken)
    {
        var row = await catalog.FindAsync(owner, id, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return ImageIds.IsValidImageId(id) ? blobs.Blob(owner, id) : null;
        }

        // Inline images travelled inside their message: their bytes are not kept anywhere.
        return row.SourceType == ImageSourceTypes.Blob && Uri.TryCreate(row.SourceUri, UriKind.Absolute, out var uri)
            ? blobs.InAccount(uri)
            : null;
    }

    public static ProblemHttpResult? PagingProblem(int page, int pageSize) =>
        page < 1 || pageSize is < 1 or > MaxPageSize
            ? ApiProblems.BadRequest($"page must be 1 or more and pageSize 1–{MaxPageSize}.")
            : null;

    public static ProblemHttpResult UnknownImage(string id) =>
        ApiProblems.NotFound($"There is no image '{id}' of yours.");

    public static ProblemHttpResult IdTaken(string id) =>
        ApiProblems.Conflict($"The id '{id}' already names other bytes of yours; an id keeps its bytes for good. Upload under a new id.");
}
