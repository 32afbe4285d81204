using MassTransit.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Pipeline.Api.Hosting;

/// <summary>
/// OpenTelemetry for the API, the producer end of an image's trace: each request's span, MassTransit's send of
/// <c>ImageUploaded</c> under it (the W3C trace context goes along in the message headers, and the worker carries it
/// on), Npgsql and outgoing HTTP. Metrics at <c>/metrics</c> (<c>Telemetry:PrometheusEnabled</c>); traces, metrics and
/// logs pushed by OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class ApiTelemetry
{
    public const string DefaultServiceName = "pipeline-api";

    public const string Section = "Telemetry";

    public static IServiceCollection AddApiTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var prometheus = PrometheusEnabled(configuration);
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? DefaultServiceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsProbeOrScrape(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(DiagnosticHeaders.DefaultListenerName))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(ApiMetrics.MeterName, DiagnosticHeaders.DefaultListenerName);
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            // OTLP reads the rest of its settings (protocol, headers, timeouts) from the OTEL_EXPORTER_OTLP_* variables.
            otel.WithLogging().UseOtlpExporter();
        }

        return services;
    }

    /// <summary><c>Telemetry:PrometheusEnabled</c>, true unless set to false.</summary>
    public static bool PrometheusEnabled(IConfiguration configuration) =>
        configuration.GetSection(Section).GetValue("PrometheusEnabled", defaultValue: true);

    /// <summary>Health probes and scrapes come every few seconds and say nothing about an image: they are not traced.</summary>
    private static bool IsProbeOrScrape(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase);
}
