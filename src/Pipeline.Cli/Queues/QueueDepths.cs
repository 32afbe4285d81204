using Pipeline.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Cli.Queues;

/// <param name="Messages">Ready messages; null when the queue does not exist (no worker has declared it yet).</param>
internal sealed record QueueDepth(string Queue, uint? Messages, uint? Consumers);

/// <summary>Depth and consumers of the input and error queues, by passive declares (they read, never create).</summary>
internal static class QueueDepths
{
    public static async Task<List<QueueDepth>> ReadAsync(RabbitMqConnection rabbit, IEnumerable<string> queues, CancellationToken cancellationToken)
    {
        var factory = rabbit.CreateConnectionFactory();
        await using var connection = await factory.CreateConnectionAsync("pipeline status", cancellationToken).ConfigureAwait(false);
        var depths = new List<QueueDepth>();
        foreach (var queue in queues)
        {
            // The broker closes a channel whose passive declare names a missing queue: one channel per queue.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                var declared = await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
                depths.Add(new QueueDepth(queue, declared.MessageCount, declared.ConsumerCount));
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                depths.Add(new QueueDepth(queue, null, null));
            }
        }

        return depths;
    }
}
