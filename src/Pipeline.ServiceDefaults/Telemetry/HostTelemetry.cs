using MassTransit.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Pipeline.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry as every host reports it: MassTransit's spans and instruments (which carry the W3C trace context in
/// message headers, from the API's send to the worker's result events), Npgsql's, outgoing HTTP's and the runtime's,
/// and whatever the host adds (<see cref="HostInstrumentation"/>). Spans are always recorded, exporter or not, so that
/// the trace context travels on. Metrics at <c>/metrics</c> (<see cref="TelemetryOptions.PrometheusEnabled"/>); traces,
/// metrics and logs pushed by OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class HostTelemetry
{
    /// <summary>The standard variable: when it is set, traces, metrics and logs are pushed there by OTLP.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Registered before the host's other hosted services, so that its start-up is measured too.</summary>
    public static IServiceCollection AddHostTelemetry(this IServiceCollection services, IConfiguration configuration, HostInstrumentation host)
    {
        ArgumentNullException.ThrowIfNull(host);
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.Section));
        var prometheus = TelemetryOptions.PrometheusIn(configuration);
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? host.DefaultServiceName))
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource([DiagnosticHeaders.DefaultListenerName, .. host.ActivitySources])
                    .AddNpgsql()
                    .AddHttpClientInstrumentation();
                if (host.TracesRequests)
                {
                    tracing.AddAspNetCoreInstrumentation(options => options.Filter = context => !IsProbeOrScrape(context.Request.Path));
                }
            })
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter([DiagnosticHeaders.DefaultListenerName, .. host.Meters])
                    .AddNpgsqlInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (host.TracesRequests)
                {
                    metrics.AddAspNetCoreInstrumentation();
                }

                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (!string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]))
        {
            // OTLP reads the rest of its settings (protocol, headers, timeouts) from the OTEL_EXPORTER_OTLP_* variables.
            otel.WithLogging().UseOtlpExporter();
        }

        return services;
    }

    /// <summary><c>/metrics</c>: every instrument in Prometheus's text format, unless the configuration turns it off.</summary>
    public static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value.PrometheusEnabled)
        {
            endpoints.MapPrometheusScrapingEndpoint();
        }

        return endpoints;
    }

    /// <summary>Health probes and scrapes come every few seconds and say nothing about an image: they are not traced.</summary>
    private static bool IsProbeOrScrape(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase);
}
