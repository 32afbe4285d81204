using MassTransit;
using Pipeline.Contracts;
using Pipeline.Worker.Batches;

namespace Pipeline.Worker.Consuming;

/// <summary>
/// Receives up to <see cref="BatchingOptions.MaxBatchSize"/> messages at once. Problems of single images are
/// handled inside <see cref="BatchProcessor"/>; anything thrown here is an infrastructure fault that retries the batch.
/// </summary>
public sealed class ImageUploadedBatchConsumer(BatchProcessor processor) : IConsumer<Batch<ImageUploaded>>
{
    public Task Consume(ConsumeContext<Batch<ImageUploaded>> context)
    {
        var messages = new List<ImageUploaded>(context.Message.Length);
        foreach (var item in context.Message)
        {
            messages.Add(item.Message);
        }

        return processor.ProcessAsync(messages, context, context.CancellationToken);
    }
}
