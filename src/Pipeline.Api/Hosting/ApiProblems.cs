using Microsoft.AspNetCore.Http.HttpResults;

namespace Pipeline.Api.Hosting;

/// <summary>The RFC 9457 problem documents the endpoints answer with; <c>reason</c> reuses the pipeline's failure codes where one fits.</summary>
public static class ApiProblems
{
    public static ProblemHttpResult BadRequest(string detail, string? reason = null) =>
        Problem(StatusCodes.Status400BadRequest, "The request cannot be used", detail, reason);

    public static ProblemHttpResult NotFound(string detail) =>
        Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static ProblemHttpResult TooLarge(string detail) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Too large", detail, Contracts.FailureReasons.TooManyBytes);

    public static ProblemHttpResult Forbidden(string detail) =>
        Problem(StatusCodes.Status403Forbidden, "Not allowed", detail);

    public static ProblemHttpResult Conflict(string detail) =>
        Problem(StatusCodes.Status409Conflict, "The id is taken", detail);

    public static ProblemHttpResult Problem(
        int status, string title, string detail, string? reason = null, IDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>());
        if (reason is not null)
        {
            all["reason"] = reason;
        }

        return TypedResults.Problem(detail, statusCode: status, title: title, extensions: all);
    }
}
