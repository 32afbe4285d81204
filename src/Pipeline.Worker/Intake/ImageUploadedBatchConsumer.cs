using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Messaging;
using Pipeline.Worker.Processing;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Intake;

/// <summary>
/// Receives up to <see cref="BatchingOptions.MaxBatchSize"/> messages at once. Problems of single images are
/// handled inside <see cref="BatchProcessor"/>; anything thrown here is an infrastructure fault that retries the batch.
/// A message whose earlier delivery stopped a worker (<see cref="CrashCount"/>) is not described in a batch again: it
/// moves to the isolation queue, where images are described one at a time, so a picture that kills the process can
/// only ever take itself down.
/// </summary>
public sealed class ImageUploadedBatchConsumer(
    BatchProcessor processor, PoisonMessages poison, IOptions<BatchingOptions> options, PipelineMetrics metrics, TimeProvider time)
    : IConsumer<Batch<ImageUploaded>>
{
    private readonly Uri _isolation = InputQueues.SendAddress(InputQueues.Isolation(options.Value.QueueName));

    public async Task Consume(ConsumeContext<Batch<ImageUploaded>> context)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // A retry of the batch is not time spent in the queue.
        var firstAttempt = context.GetRetryAttempt() == 0;
        var messages = new List<ConsumedImage>(context.Message.Length);
        var parked = new List<ConsumeContext<ImageUploaded>>();
        foreach (var item in context.Message)
        {
            // A MassTransit envelope says when it was sent; plain JSON only if its producer set the AMQP timestamp.
            if (firstAttempt && (item.SentTime ?? item.ReceiveContext.GetSentTime()) is { } sent)
            {
                metrics.RecordQueueWait(now - sent);
            }

            var crashes = CrashCount.Of(item);
            var producer = PipelineActivities.ProducerContext(item.ReceiveContext.TransportHeaders);
            if (crashes >= options.Value.CrashLimit)
            {
                messages.Add(new ConsumedImage(item.Message, producer, CrashCount.WorkerCrashed(crashes)));
                parked.Add(item);
            }
            else if (crashes > 0 && item.Message.Problems.Count == 0)
            {
                // Sent before this batch is acknowledged: a crash in between leaves a copy in both queues, never none.
                var isolation = await context.GetSendEndpoint(_isolation).ConfigureAwait(false);
                await isolation.Send(item.Message, send => send.Headers.Set(CrashCount.Header, crashes), context.CancellationToken).ConfigureAwait(false);
            }
            else
            {
                messages.Add(new ConsumedImage(item.Message, producer));
            }
        }

        if (messages.Count > 0)
        {
            await processor.ProcessAsync(messages, context, context.CancellationToken).ConfigureAwait(false);
        }

        await poison.ParkAsync(parked, context.CancellationToken).ConfigureAwait(false);
    }
}
