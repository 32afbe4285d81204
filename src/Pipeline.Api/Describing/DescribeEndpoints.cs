using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Pipeline.Api.Hosting;
using Pipeline.Api.Images;
using Pipeline.Api.Owners;
using Pipeline.Api.Uploads;
using Pipeline.Storage.Entities;

namespace Pipeline.Api.Describing;

/// <summary>
/// Describe now, for small callers (the original's getAltText and getAltTexts): upload, announce, and answer with
/// the result once the worker has published it, or 504 with the status URL to poll on.
/// </summary>
public static class DescribeEndpoints
{
    public static RouteGroupBuilder MapDescribeEndpoints(this RouteGroupBuilder v1)
    {
        var describe = v1.MapGroup("/describe").WithTags("Describe");
        describe.MapPost("/", DescribeOneAsync)
            .WithSummary("Upload one image and wait for its description")
            .WithDescription("Same body as POST /v1/images. 200 with the result; 422 when the image cannot be described (reason code); " +
                "504 after ?timeoutSeconds= (at most Api:DescribeTimeoutSeconds) with the status URL.")
            .AcceptsImages(several: false)
            .Produces<ImageView>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        describe.MapPost("/batch", DescribeManyAsync)
            .WithSummary("Upload several images (multipart 'file' parts, optional 'id' fields in order) and wait for all")
            .AcceptsImages(several: true)
            .Produces<DescribedBatch>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        return v1;
    }

    private static async Task<IResult> DescribeOneAsync(
        HttpRequest request, Describer describer, CancellationToken cancellationToken, int? timeoutSeconds = null)
    {
        var outcome = await describer.DescribeAsync(request, 1, timeoutSeconds, cancellationToken).ConfigureAwait(false);
        if (outcome.Problem is not null)
        {
            return outcome.Problem;
        }

        var (id, view) = outcome.Results.Single();
        return view switch
        {
            null => Pending(outcome.Timeout, outcome.Results),
            { Status: ImageStatus.Failed } => ApiProblems.Problem(
                StatusCodes.Status422UnprocessableEntity,
                "The image cannot be described",
                view.Failure?.Message ?? "The worker could not describe the image.",
                view.Failure?.Reason,
                new Dictionary<string, object?> { ["id"] = id, ["statusUrl"] = view.Links.Self }),
            _ => TypedResults.Ok(view),
        };
    }

    private static async Task<IResult> DescribeManyAsync(
        HttpRequest request, Describer describer, IOptions<ApiOptions> options, CancellationToken cancellationToken, int? timeoutSeconds = null)
    {
        var outcome = await describer.DescribeAsync(request, options.Value.MaxImagesPerRequest, timeoutSeconds, cancellationToken).ConfigureAwait(false);
        if (outcome.Problem is not null)
        {
            return outcome.Problem;
        }

        var pending = outcome.Results.Where(r => r.View is null).Select(r => r.Id).ToList();
        return pending.Count == 0
            ? TypedResults.Ok(new DescribedBatch(outcome.Results.Select(r => r.View!).ToList()))
            : Pending(outcome.Timeout, outcome.Results);
    }

    private static ProblemHttpResult Pending(TimeSpan timeout, IReadOnlyList<(string Id, ImageView? View)> results)
    {
        var statuses = results
            .Select(r => new ImageStatusLink(r.Id, r.View?.Status ?? ImageView.Pending, ImageLinks.For(r.Id).Self))
            .ToList();
        var extensions = statuses.Count == 1
            ? new Dictionary<string, object?> { ["id"] = statuses[0].Id, ["statusUrl"] = statuses[0].StatusUrl }
            : new Dictionary<string, object?> { ["images"] = statuses };
        return ApiProblems.Problem(
            StatusCodes.Status504GatewayTimeout,
            "Still being described",
            $"No result within {timeout.TotalSeconds:0} s. The image{(statuses.Count == 1 ? " is" : "s are")} queued and will be described: poll the status URL.",
            extensions: extensions);
    }
}

/// <param name="Items">One result per image, in the order sent.</param>
public sealed record DescribedBatch(IReadOnlyList<ImageView> Items);

public sealed record ImageStatusLink(string Id, string Status, string StatusUrl);
