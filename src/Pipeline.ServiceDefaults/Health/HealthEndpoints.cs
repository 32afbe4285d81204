using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pipeline.ServiceDefaults.Health;

/// <summary>The two probes every host answers, with the same paths, status codes and JSON (<see cref="HealthReportJson"/>).</summary>
public static class HealthEndpoints
{
    /// <summary>The tag of the checks <c>/health/ready</c> asks.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// <c>/health/live</c>: the process answers (no dependency is asked, so an outage never gets a host restarted).
    /// <c>/health/ready</c>: every check tagged <see cref="ReadyTag"/>; 503 while any is not healthy.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthReportJson.WriteAsync });
        var ready = new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = HealthReportJson.WriteAsync };
        // MassTransit reports a lost broker as Degraded; a host that cannot take, send or answer messages is not ready.
        ready.ResultStatusCodes[HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable;
        endpoints.MapHealthChecks("/health/ready", ready);
        return endpoints;
    }
}
