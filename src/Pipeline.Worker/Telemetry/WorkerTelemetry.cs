using MassTransit.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Pipeline.Worker.Telemetry;

/// <summary>
/// OpenTelemetry for the worker: its own spans and instruments, MassTransit's (which carry the W3C trace context in
/// message headers), Npgsql's, outgoing HTTP (blob reads, the chat captioner) and the runtime's. Spans are always
/// recorded, exporter or not, so that the trace context travels on to the result events.
/// </summary>
public static class WorkerTelemetry
{
    public const string DefaultServiceName = "pipeline-worker";

    /// <summary>The standard variable: when it is set, traces, metrics and logs are pushed there by OTLP.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Registered before the other hosted services, so that start-up (the model loads) is measured too.</summary>
    public static IServiceCollection AddWorkerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var prometheus = TelemetryOptions.PrometheusIn(configuration);
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? DefaultServiceName))
            .WithTracing(tracing => tracing
                .AddSource(PipelineActivities.SourceName, DiagnosticHeaders.DefaultListenerName)
                .AddNpgsql()
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(PipelineMetrics.MeterName, DiagnosticHeaders.DefaultListenerName)
                    .AddNpgsqlInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
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
}
