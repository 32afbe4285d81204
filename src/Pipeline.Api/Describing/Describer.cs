using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Pipeline.Api.Hosting;
using Pipeline.Api.Images;
using Pipeline.Api.Owners;
using Pipeline.Api.Uploads;
using Pipeline.Contracts;

namespace Pipeline.Api.Describing;

/// <summary>Reads, stores and announces a request's images, then waits for their results.</summary>
public sealed partial class Describer(
    UploadReader reader,
    ImageIntake intake,
    ResultWaiters waiters,
    ImageCatalog catalog,
    IOptions<ApiOptions> options,
    ILogger<Describer> logger)
{
    /// <returns>A problem, or each image's result in request order (null: not finished within the timeout).</returns>
    public async Task<DescribeOutcome> DescribeAsync(HttpRequest request, int maxImages, int? timeoutSeconds, CancellationToken cancellationToken)
    {
        var limit = options.Value.DescribeTimeoutSeconds;
        if (timeoutSeconds is < 1 || timeoutSeconds > limit)
        {
            return new DescribeOutcome(ApiProblems.BadRequest($"timeoutSeconds must be 1–{limit} (Api:DescribeTimeoutSeconds)."), [], default);
        }

        var (images, problem) = await reader.ReadAsync(request, maxImages, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return new DescribeOutcome(problem, [], default);
        }

        var owner = request.HttpContext.User.Owner();
        var ids = images!.Select(image => image.ImageId).ToList();
        var timeout = TimeSpan.FromSeconds(timeoutSeconds ?? limit);
        using var watch = waiters.Start(ids.Select(id => ImageIds.RowId(owner, id)));
        var taken = await intake.AcceptAsync(owner, images!, cancellationToken).ConfigureAwait(false);
        if (taken is not null)
        {
            return new DescribeOutcome(ImageEndpoints.IdTaken(taken), [], timeout);
        }

        if (!await watch.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            LogTimedOut(logger, ids.Count, owner, timeout.TotalSeconds);
        }

        // The rows are the answer (the events only say when to look); a result that arrived unseen is found here too.
        var rows = await catalog.FindManyAsync(owner, ids, cancellationToken).ConfigureAwait(false);
        var results = ids.Select(id => (id, rows.TryGetValue(id, out var row) ? ImageView.FromRecord(owner, row) : null)).ToList();
        return new DescribeOutcome(null, results, timeout);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Describe of {Images} image(s) of owner {OwnerId} not finished within {TimeoutSeconds} s")]
    private static partial void LogTimedOut(ILogger logger, int images, string ownerId, double timeoutSeconds);
}

public sealed record DescribeOutcome(ProblemHttpResult? Problem, IReadOnlyList<(string Id, ImageView? View)> Results, TimeSpan Timeout);
