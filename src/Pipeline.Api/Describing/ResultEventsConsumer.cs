using MassTransit;
using Pipeline.Contracts;

namespace Pipeline.Api.Describing;

/// <summary>Passes the worker's result events to the requests waiting for them (on this instance's temporary queue).</summary>
public sealed class ResultEventsConsumer(ResultWaiters waiters) : IConsumer<ImageDescribed>, IConsumer<ImageDescriptionFailed>
{
    public Task Consume(ConsumeContext<ImageDescribed> context)
    {
        waiters.Finished(context.Message.ImageId);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ImageDescriptionFailed> context)
    {
        waiters.Finished(context.Message.ImageId);
        return Task.CompletedTask;
    }
}
