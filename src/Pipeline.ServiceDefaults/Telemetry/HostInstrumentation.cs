namespace Pipeline.ServiceDefaults.Telemetry;

/// <summary>What one host adds to the telemetry every host reports (<see cref="HostTelemetry"/>).</summary>
/// <param name="DefaultServiceName">The service's name in every span and metric unless <c>OTEL_SERVICE_NAME</c> is set.</param>
public sealed record HostInstrumentation(string DefaultServiceName)
{
    /// <summary>The host's own activity sources.</summary>
    public IReadOnlyList<string> ActivitySources { get; init; } = [];

    /// <summary>The host's own meters.</summary>
    public IReadOnlyList<string> Meters { get; init; } = [];

    /// <summary>
    /// A span and the HTTP server metrics for every request it serves (not probes or scrapes). Off for a host whose
    /// only requests are probes and scrapes.
    /// </summary>
    public bool TracesRequests { get; init; }
}
