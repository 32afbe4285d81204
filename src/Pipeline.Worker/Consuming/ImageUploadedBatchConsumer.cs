using MassTransit;
using Pipeline.Contracts;
using Pipeline.Worker.Batches;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Consuming;

/// <summary>
/// Receives up to <see cref="BatchingOptions.MaxBatchSize"/> messages at once. Problems of single images are
/// handled inside <see cref="BatchProcessor"/>; anything thrown here is an infrastructure fault that retries the batch.
/// </summary>
public sealed class ImageUploadedBatchConsumer(BatchProcessor processor, PipelineMetrics metrics, TimeProvider time)
    : IConsumer<Batch<ImageUploaded>>
{
    public Task Consume(ConsumeContext<Batch<ImageUploaded>> context)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // A retry of the batch is not time spent in the queue.
        var firstAttempt = context.GetRetryAttempt() == 0;
        var messages = new List<ConsumedImage>(context.Message.Length);
        foreach (var item in context.Message)
        {
            // A MassTransit envelope says when it was sent; plain JSON only if its producer set the AMQP timestamp.
            if (firstAttempt && (item.SentTime ?? item.ReceiveContext.GetSentTime()) is { } sent)
            {
                metrics.RecordQueueWait(now - sent);
            }

            messages.Add(new ConsumedImage(item.Message, PipelineActivities.ProducerContext(item.ReceiveContext.TransportHeaders)));
        }

        return processor.ProcessAsync(messages, context, context.CancellationToken);
    }
}
