using Pipeline.Messaging;
using RabbitMQ.Client;

namespace Pipeline.Cli.Queues;

/// <summary>
/// Reads why the messages of an error queue wait without taking them: each is fetched with basic.get and not
/// acknowledged, then all are handed back at once, which puts every one back in its place (order and count unchanged).
/// </summary>
internal static class ParkedMessagePeek
{
    /// <summary>The most read in one go: the broker keeps each one out of the queue until all are handed back.</summary>
    public const int MaxInspected = 10_000;

    public static async Task<ParkedSummary> ReadAsync(RabbitMqConnection rabbit, string errorQueue, int maxInspected, CancellationToken cancellationToken)
    {
        var factory = rabbit.CreateConnectionFactory();
        await using var connection = await factory.CreateConnectionAsync("pipeline status", cancellationToken).ConfigureAwait(false);
        // Should anything below fail, closing this channel hands back whatever it holds.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var parked = new List<(ParkedReason, DateTimeOffset?)>();
        BasicGetResult? last = null;
        while (parked.Count < maxInspected
            && await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken).ConfigureAwait(false) is { } message)
        {
            parked.Add((ParkedReason.Of(message.BasicProperties.Headers), ParkedTime.Of(message.BasicProperties.Headers)));
            last = message;
        }

        if (last is not null)
        {
            await channel.BasicNackAsync(last.DeliveryTag, multiple: true, requeue: true, cancellationToken).ConfigureAwait(false);
        }

        // The broker's count of what it had not handed over yet, besides those read.
        return ParkedSummary.Of(parked, parked.Count + (last?.MessageCount ?? 0));
    }
}
