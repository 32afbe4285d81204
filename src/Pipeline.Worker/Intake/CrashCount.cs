using MassTransit;
using Pipeline.Contracts;

namespace Pipeline.Worker.Intake;

/// <summary>
/// How many times describing a message's image has stopped a worker: the deliveries of it that no worker finished,
/// which the quorum queue counts (<c>x-delivery-count</c>), plus those counted on the input queue before it was moved to
/// the isolation queue (<see cref="Header"/>).
/// </summary>
public static class CrashCount
{
    /// <summary>Carried by a message moved to the isolation queue: its crashes so far.</summary>
    public const string Header = "pipeline-crashes";

    private const string DeliveryCount = "x-delivery-count";

    public static int Of(ConsumeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Number(context, Header) + Number(context, DeliveryCount);
    }

    private static int Number(ConsumeContext context, string name) =>
        (context.ReceiveContext.TransportHeaders.TryGetHeader(name, out var value) || context.Headers.TryGetHeader(name, out value))
        && value is not null
            ? Convert.ToInt32(value is byte[] text ? System.Text.Encoding.UTF8.GetString(text) : value, System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    public static ImageRejectedException WorkerCrashed(int crashes) => new(
        FailureReasons.WorkerCrashed,
        $"Describing this image stopped the worker {crashes} times (each time alone after the first); it is not tried again.");
}
