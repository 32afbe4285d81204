using Microsoft.Extensions.Configuration;

namespace Pipeline.ServiceDefaults.Telemetry;

/// <summary>
/// What a host exposes itself (section <c>Telemetry</c>). Where traces and metrics are pushed is OpenTelemetry's own
/// business: the standard <c>OTEL_*</c> environment variables (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> turns OTLP on).
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Serve the metrics for Prometheus at <c>/metrics</c> (worker: on <c>Http:Urls</c>; API: on its own port).</summary>
    public bool PrometheusEnabled { get; set; } = true;

    /// <summary>True unless the configuration turns the scrape endpoint off; read before the options are bound.</summary>
    public static bool PrometheusIn(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<TelemetryOptions>()?.PrometheusEnabled ?? true;
}
