using System.ComponentModel.DataAnnotations;

namespace Pipeline.Worker.Hosting;

/// <summary>Section <c>Shutdown</c>.</summary>
public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>
    /// On SIGTERM the worker stops taking messages and finishes the batches it holds (insert, publish, ack) for at
    /// most this long, then exits. Batches still unfinished then are redelivered to the next worker; none is
    /// half-written. Give the orchestrator's grace period (Kubernetes: terminationGracePeriodSeconds) a few seconds more.
    /// </summary>
    [Range(1, 3600)]
    public int TimeoutSeconds { get; set; } = 30;
}
