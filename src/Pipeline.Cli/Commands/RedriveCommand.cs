using System.CommandLine;
using Pipeline.Cli.Errors;
using Pipeline.Cli.Queues;
using Pipeline.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Pipeline.Cli.Commands;

/// <summary>
/// Moves messages that exhausted their retries from <c>&lt;queue&gt;_error</c> back to the queue, once the fault that
/// parked them is fixed. Each message is republished (confirmed by the broker) before it is removed from the error
/// queue, so a crash mid-way can only leave a copy in both, never lose one; the worker's idempotency absorbs copies.
/// Only messages a retry may help are moved (<see cref="ParkedReason.MayRetry"/>) unless <c>--all</c> is given: the
/// others would only fail again and come back.
/// </summary>
internal static class RedriveCommand
{
    /// <summary>Why the message was parked (MassTransit's fault, the worker's reason, RabbitMQ's dead-lettering): a
    /// message that fails again gets fresh ones, and stale ones would make status and redrive misjudge it.</summary>
    private static readonly string[] ParkingHeaderPrefixes =
        ["MT-Fault-", "MT-Reason", ParkedMessages.ReasonHeader, ParkedMessages.MessageHeader, "x-death", "x-first-death-", "x-last-death-"];

    public static Command Create(CliContext context)
    {
        var queue = new Option<string>("--queue") { Description = "The worker's input queue.", DefaultValueFactory = _ => QueueNames.ImageUploaded };
        var limit = new Option<int?>("--limit") { Description = "Move at most this many (default: all that are there when it starts)." };
        var all = new Option<bool>("--all") { Description = "Move the messages that would fail again too (not keyable, crashed the worker, hit the delivery limit)." };
        var command = new Command("redrive", "Move the messages a retry may help (infrastructure faults) from <queue>_error back to <queue>.") { queue, limit, all };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(context, parse.GetRequiredValue(queue), parse.GetValue(limit), parse.GetValue(all), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string queue, int? limit, bool all, CancellationToken cancellationToken)
    {
        if (limit is < 1)
        {
            throw new CliException(ExitCodes.Usage, "--limit must be at least 1.");
        }

        var rabbit = RabbitMqConnection.Parse(context.LoadConfiguration().ConnectionString("RabbitMq", "to reach the queues"));
        var factory = rabbit.CreateConnectionFactory();
        var errorQueue = queue + "_error";
        await using var connection = await factory.CreateConnectionAsync("pipeline redrive", cancellationToken).ConfigureAwait(false);
        // Closing this channel, should anything fail, hands back every message it has taken and not yet acknowledged.
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken).ConfigureAwait(false);

        uint waiting;
        try
        {
            waiting = (await channel.QueueDeclarePassiveAsync(errorQueue, cancellationToken).ConfigureAwait(false)).MessageCount;
            await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            throw new CliException(ExitCodes.Usage, $"No queue '{queue}' or '{errorQueue}' on {rabbit}: check --queue (a worker declares both when it first starts).");
        }

        var toMove = limit ?? int.MaxValue;
        var moved = 0;
        var kept = new List<string>();
        ulong lastKept = 0;
        // Only what is there now: a message that fails again while this runs must not be moved round and round.
        for (var taken = 0u; taken < waiting && moved < toMove
            && await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken).ConfigureAwait(false) is { } message; taken++)
        {
            var reason = ParkedReason.Of(message.BasicProperties.Headers);
            if (!reason.MayRetry && !all)
            {
                // Held unacknowledged, so that it is neither taken again nor moved behind the ones after it.
                kept.Add(reason.Kind);
                lastKept = message.DeliveryTag;
                continue;
            }

            await channel.BasicPublishAsync("", queue, mandatory: true, WithoutParkingHeaders(message.BasicProperties), message.Body, cancellationToken)
                .ConfigureAwait(false);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken).ConfigureAwait(false);
            moved++;
        }

        // Counted before the kept ones are handed back, which the broker does in its own time: these are the ones
        // not taken (past --limit, or parked while this ran).
        var left = (await channel.QueueDeclarePassiveAsync(errorQueue, cancellationToken).ConfigureAwait(false)).MessageCount + (uint)kept.Count;
        if (lastKept > 0)
        {
            // Every kept message at once (the moved ones are acknowledged already): each goes back to its place.
            await channel.BasicNackAsync(lastKept, multiple: true, requeue: true, cancellationToken).ConfigureAwait(false);
        }

        context.Console.WriteLine(Summary(moved, errorQueue, queue, kept, left));
        return ExitCodes.Ok;
    }

    private static BasicProperties WithoutParkingHeaders(IReadOnlyBasicProperties parked)
    {
        var properties = new BasicProperties(parked);
        if (properties.Headers is { } headers)
        {
            foreach (var name in headers.Keys.Where(k => ParkingHeaderPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
            {
                headers.Remove(name);
            }
        }

        return properties;
    }

    /// <param name="kept">The kind of each message left because it would fail again, in queue order.</param>
    /// <param name="left">What the error queue holds now.</param>
    private static string Summary(int moved, string errorQueue, string queue, List<string> kept, uint left)
    {
        var summary = $"Moved {moved} message(s) from {errorQueue} to {queue}; ";
        if (kept.Count == 0)
        {
            return summary + $"{left} left in {errorQueue}.";
        }

        var kinds = string.Join(", ", kept.CountBy(kind => kind).Select(kind => $"{kind.Key} {kind.Value}"));
        summary += $"left {kept.Count} that would fail again ({kinds}): --all moves them too.";
        // Besides those: messages past --limit, or parked while this ran.
        return left == kept.Count ? summary : summary + $" {left} left in {errorQueue} in all.";
    }
}
