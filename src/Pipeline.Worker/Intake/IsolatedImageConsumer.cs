using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Worker.Processing;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Intake;

/// <summary>
/// Describes, one at a time, the images whose batch stopped a worker (<c>&lt;queue&gt;_isolation</c>). An image that
/// stops the worker here again and again fails with <c>worker-crashed</c> once <see cref="BatchingOptions.CrashLimit"/>
/// is reached: it gets its row and its event, and its message is parked in <c>&lt;queue&gt;_error</c>.
/// </summary>
public sealed class IsolatedImageConsumer(BatchProcessor processor, PoisonMessages poison, IOptions<BatchingOptions> options) : IConsumer<ImageUploaded>
{
    public async Task Consume(ConsumeContext<ImageUploaded> context)
    {
        var crashes = CrashCount.Of(context);
        var poisoned = crashes >= options.Value.CrashLimit;
        var producer = PipelineActivities.ProducerContext(context.ReceiveContext.TransportHeaders);
        await processor.ProcessAsync(
            [new ConsumedImage(context.Message, producer, poisoned ? CrashCount.WorkerCrashed(crashes) : null)], context, context.CancellationToken).ConfigureAwait(false);
        if (poisoned)
        {
            await poison.ParkAsync([context], context.CancellationToken).ConfigureAwait(false);
        }
    }
}
