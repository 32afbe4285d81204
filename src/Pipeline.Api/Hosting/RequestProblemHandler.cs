using Microsoft.AspNetCore.Diagnostics;

namespace Pipeline.Api.Hosting;

/// <summary>
/// Answers a request Kestrel refused while it was read (a body over Api:MaxRequestBytes: 413, a malformed request:
/// 400) with a problem document of its status instead of a 500.
/// </summary>
public sealed class RequestProblemHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Too large" : "The request cannot be read",
                Detail = bad.Message,
            },
        }).ConfigureAwait(false);
    }
}
