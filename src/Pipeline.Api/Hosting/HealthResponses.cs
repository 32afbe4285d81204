using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipeline.Api.Hosting;

/// <summary>Health answers as JSON: the overall status and each check's, so an operator sees which service is down.</summary>
public static class HealthResponses
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString(), description = entry.Value.Description }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }
}
