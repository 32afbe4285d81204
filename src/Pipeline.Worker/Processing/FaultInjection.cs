using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Pipeline.Worker.Processing;

/// <summary>Section <c>FaultInjection</c>: switches the fault tests use; refused outside the Testing environment.</summary>
public sealed class FaultInjectionOptions
{
    public const string Section = "FaultInjection";

    public const string Environment = "Testing";

    /// <summary>Stop the process the way a native crash would (no cleanup, no ack) when this image is about to be described.</summary>
    [MaxLength(200)]
    public string? ExitOnImageId { get; set; }
}

/// <summary>Stops the worker abruptly on the image the fault tests name (<see cref="FaultInjectionOptions"/>).</summary>
public sealed class FaultInjection(IOptions<FaultInjectionOptions> options)
{
    private readonly string? _exitOn = options.Value.ExitOnImageId;

    public void Inject(string imageId)
    {
        if (_exitOn is not null && string.Equals(_exitOn, imageId, StringComparison.Ordinal))
        {
            System.Environment.FailFast($"{FaultInjectionOptions.Section}:ExitOnImageId: stopping while describing {imageId}.");
        }
    }
}
