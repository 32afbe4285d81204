using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Tests.Faults.Infrastructure;

/// <summary>
/// A producer without MassTransit, as the README tells other systems to publish: plain JSON, persistent, confirmed,
/// stamped with the time it was sent (from which the worker measures the queue wait).
/// </summary>
internal static class Broker
{
    public static byte[] Json(ImageUploaded message) => JsonSerializer.SerializeToUtf8Bytes(message, JsonSerializerOptions.Web);

    /// <summary>The input queue as the worker declares it (a quorum queue: <see cref="InputQueues"/>), so messages can wait for a worker.</summary>
    public static async Task DeclareQueueAsync(ConnectionFactory factory, string queue, CancellationToken cancellationToken)
    {
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await InputQueues.DeclareAsync(channel, queue, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publishes each body to <paramref name="queue"/> and returns once the broker has confirmed every one (written to disk).</summary>
    public static async Task PublishAsync(ConnectionFactory factory, string queue, IEnumerable<byte[]> bodies, CancellationToken cancellationToken)
    {
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken).ConfigureAwait(false);
        var properties = new BasicProperties
        {
            ContentType = "application/json",
            DeliveryMode = DeliveryModes.Persistent,
            Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
        };
        foreach (var chunk in bodies.Chunk(100))
        {
            await Task.WhenAll(chunk.Select(body => channel.BasicPublishAsync("", queue, mandatory: true, properties, body, cancellationToken).AsTask()))
                .ConfigureAwait(false);
        }
    }

    /// <summary>Messages ready in <paramref name="queue"/> (not counting those delivered and unacknowledged); 0 when it does not exist.</summary>
    public static async Task<uint> ReadyCountAsync(ConnectionFactory factory, string queue, CancellationToken cancellationToken)
    {
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    /// <summary>Takes every message out of <paramref name="queue"/> (to read what MassTransit recorded on them).</summary>
    public static async Task<List<BasicGetResult>> DrainAsync(ConnectionFactory factory, string queue, CancellationToken cancellationToken)
    {
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var taken = new List<BasicGetResult>();
        while (await channel.BasicGetAsync(queue, autoAck: true, cancellationToken).ConfigureAwait(false) is { } message)
        {
            taken.Add(message);
        }

        return taken;
    }

    /// <summary>Reads the first message of <paramref name="queue"/> and leaves it there (unacknowledged, it goes back when the channel closes).</summary>
    public static async Task<BasicGetResult> PeekAsync(ConnectionFactory factory, string queue, CancellationToken cancellationToken)
    {
        await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return await channel.BasicGetAsync(queue, autoAck: false, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{queue} is empty.");
    }

    /// <summary>A header MassTransit wrote (AMQP strings arrive as bytes).</summary>
    public static string? Header(this BasicGetResult message, string name) =>
        message.BasicProperties.Headers?.TryGetValue(name, out var value) == true
            ? value switch
            {
                byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
                null => null,
                _ => value.ToString(),
            }
            : null;
}
