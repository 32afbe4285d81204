using System.Diagnostics;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Tests.Integration.Cli;

/// <summary>A message as it sits in a queue: its body as text and its headers.</summary>
internal sealed record QueuedMessage(string Body, IDictionary<string, object?> Headers);

/// <summary>Puts messages in queues and reads them back without taking them, for the tests of status and redrive.</summary>
internal static class ParkedQueues
{
    public static async Task PublishAsync(IConnection connection, string queue, string body, IDictionary<string, object?>? headers, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent, Headers = headers };
        await channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes(body), cancellationToken);
    }

    /// <summary>
    /// The queue's <paramref name="count"/> messages in order, each handed back to its place (the queue is as it was).
    /// It waits for them before and after: the broker puts messages handed back (here, or by status and redrive) back
    /// in its own time.
    /// </summary>
    public static async Task<List<QueuedMessage>> ReadAsync(IConnection connection, string queue, int count, CancellationToken cancellationToken)
    {
        await WaitForDepthAsync(connection, queue, (uint)count, cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var messages = new List<QueuedMessage>();
        ulong last = 0;
        while (await channel.BasicGetAsync(queue, autoAck: false, cancellationToken) is { } message)
        {
            messages.Add(new QueuedMessage(Encoding.UTF8.GetString(message.Body.Span), message.BasicProperties.Headers ?? new Dictionary<string, object?>()));
            last = message.DeliveryTag;
        }

        if (last > 0)
        {
            await channel.BasicNackAsync(last, multiple: true, requeue: true, cancellationToken);
            await WaitForDepthAsync(connection, queue, (uint)messages.Count, cancellationToken);
        }

        return messages;
    }

    public static async Task WaitForDepthAsync(IConnection connection, string queue, uint depth, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            // A passive declare of a queue not declared yet (MassTransit makes _error at the first fault) closes the channel.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            try
            {
                if ((await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount >= depth)
                {
                    return;
                }
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{queue} did not reach {depth} messages in 60 s");
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>
    /// Has RabbitMQ itself dead-letter <paramref name="body"/> into <paramref name="errorQueue"/>, as a quorum queue does
    /// with a message delivered and given back more often than its delivery limit allows.
    /// </summary>
    public static async Task DeadLetterAtDeliveryLimitAsync(IConnection connection, string errorQueue, string body, CancellationToken cancellationToken)
    {
        var quorum = errorQueue + "-quorum";
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var before = (await channel.QueueDeclarePassiveAsync(errorQueue, cancellationToken)).MessageCount;
        await channel.QueueDeclareAsync(quorum, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>
        {
            ["x-queue-type"] = "quorum",
            ["x-delivery-limit"] = 1,
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = errorQueue,
        }, cancellationToken: cancellationToken);
        try
        {
            await PublishAsync(connection, quorum, body, null, cancellationToken);
            var clock = Stopwatch.StartNew();
            while ((await channel.QueueDeclarePassiveAsync(errorQueue, cancellationToken)).MessageCount == before)
            {
                if (await channel.BasicGetAsync(quorum, autoAck: false, cancellationToken) is { } delivery)
                {
                    await channel.BasicRejectAsync(delivery.DeliveryTag, requeue: true, cancellationToken);
                }

                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{quorum} did not dead-letter its message in 30 s");
                await Task.Delay(50, cancellationToken);
            }
        }
        finally
        {
            await channel.QueueDeleteAsync(quorum, cancellationToken: CancellationToken.None);
        }
    }
}
