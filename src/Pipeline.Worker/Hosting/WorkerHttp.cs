using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Hosting;

/// <summary>The worker's small HTTP server (<see cref="HttpOptions"/>): health and metrics.</summary>
public static class WorkerHttp
{
    public static WebApplicationBuilder AddWorkerHttp(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(HttpOptions.Section);
        builder.Services.AddOptions<HttpOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        builder.WebHost.UseUrls((section.Get<HttpOptions>() ?? new HttpOptions()).Urls);
        return builder;
    }

    /// <summary>
    /// <c>/health/live</c>: the process answers (no dependency is asked, so an outage never gets the worker restarted).
    /// <c>/health/ready</c>: every check tagged <c>ready</c> — Postgres and the bus; 503 while any is not healthy.
    /// </summary>
    public static IEndpointRouteBuilder MapWorkerHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        var ready = new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteAsync };
        // MassTransit reports a lost broker as Degraded; a worker that cannot take or answer messages is not ready.
        ready.ResultStatusCodes[HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable;
        endpoints.MapHealthChecks("/health/ready", ready);
        return endpoints;
    }

    /// <summary>
    /// <c>/metrics</c>: every instrument in Prometheus's text format (<see cref="TelemetryOptions.PrometheusEnabled"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapWorkerMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value.PrometheusEnabled)
        {
            endpoints.MapPrometheusScrapingEndpoint();
        }

        return endpoints;
    }

    /// <summary>The overall status and each check's, so an operator sees which dependency is down.</summary>
    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            json.WriteString("description", entry.Description);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
