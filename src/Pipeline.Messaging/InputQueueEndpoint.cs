using MassTransit;

namespace Pipeline.Messaging;

/// <summary>
/// Where a process sends <c>ImageUploaded</c>: the input queue, declared once in the shape the worker declares it
/// (<see cref="InputQueues"/>) before the first send, so a send before any worker has started is kept, not lost, and
/// never declares the queue in another shape.
/// </summary>
public sealed class InputQueueEndpoint(RabbitMqConnection rabbit, string queue)
{
    private readonly Lock _gate = new();
    private Task? _declaration;

    public string Queue { get; } = queue;

    public async Task<ISendEndpoint> GetAsync(ISendEndpointProvider bus, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bus);
        await DeclareAsync(cancellationToken).ConfigureAwait(false);
        return await bus.GetSendEndpoint(InputQueues.SendAddress(Queue)).ConfigureAwait(false);
    }

    /// <exception cref="QueueShapeException">The queue exists in another shape (a classic queue of an earlier version).</exception>
    public Task DeclareAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // Once per process; a declaration that failed (the broker away) is tried again by the next caller.
            if (_declaration is null || _declaration.IsFaulted || _declaration.IsCanceled)
            {
                _declaration = InputQueues.DeclareAsync(rabbit, Queue, CancellationToken.None);
            }

            return _declaration.WaitAsync(cancellationToken);
        }
    }
}
