using System.CommandLine;
using Pipeline.Cli.Errors;
using Pipeline.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline queues upgrade</c>: turns the input queue of an earlier version (a classic queue) into the quorum queue
/// this version declares (<see cref="InputQueues"/>), keeping its messages. A queue's type cannot change in place, so
/// the messages move to a temporary quorum queue, the classic one is deleted and declared again, and they move back;
/// each message is confirmed by the broker where it goes before it leaves where it was, so an interrupted upgrade leaves
/// copies, never losses (the worker's idempotency absorbs copies). Workers must be stopped first.
/// </summary>
internal static class QueuesCommand
{
    public static Command Create(CliContext context)
    {
        var queue = new Option<string>("--queue") { Description = "The worker's input queue.", DefaultValueFactory = _ => QueueNames.ImageUploaded };
        var upgrade = new Command("upgrade", "Make the input queue a quorum queue (stop the workers first); nothing to do when it is one.") { queue };
        upgrade.SetAction((parse, cancellationToken) => UpgradeAsync(context, parse.GetRequiredValue(queue), cancellationToken));
        return new Command("queues", "The input queue's shape.") { upgrade };
    }

    private static async Task<int> UpgradeAsync(CliContext context, string queue, CancellationToken cancellationToken)
    {
        var rabbit = RabbitMqConnection.Parse(context.LoadConfiguration().ConnectionString("RabbitMq", "to reach the queues"));
        await using var connection = await rabbit.CreateConnectionFactory().CreateConnectionAsync("pipeline queues upgrade", cancellationToken).ConfigureAwait(false);
        try
        {
            // The broker closes a channel whose declaration it refuses: this one is only for the first try.
            await using var probe = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await InputQueues.DeclareAsync(probe, queue, cancellationToken).ConfigureAwait(false);
            context.Console.WriteLine($"'{queue}' is a quorum queue with its isolation and error queues: nothing to upgrade.");
            return ExitCodes.Ok;
        }
        catch (QueueShapeException)
        {
            // A classic queue of an earlier version: moved below.
        }

        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
        var classic = await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
        if (classic.ConsumerCount > 0)
        {
            throw new CliException(ExitCodes.Usage, $"{classic.ConsumerCount} consumer(s) read '{queue}': stop the workers, then run this again.");
        }

        var holding = queue + "_upgrading";
        await channel.QueueDeclareAsync(holding, durable: true, exclusive: false, autoDelete: false, InputQueues.Arguments(queue), cancellationToken: cancellationToken).ConfigureAwait(false);
        var moved = await MoveAllAsync(channel, queue, holding, cancellationToken).ConfigureAwait(false);
        try
        {
            await channel.QueueDeleteAsync(queue, ifUnused: true, ifEmpty: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 406)
        {
            throw new CliException(ExitCodes.SomethingFailed,
                $"'{queue}' got a consumer or a message while it was being emptied; its {moved} earlier message(s) wait in '{holding}'. Stop every worker and producer, then run this again.", e);
        }

        // A fresh channel: RabbitMQ 3.10 keeps, per channel, the type of each queue it has used by name, and a channel
        // that read the classic queue crashes (541 INTERNAL_ERROR) when it publishes to the quorum queue of that name.
        await using var returning = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
        await InputQueues.DeclareAsync(returning, queue, cancellationToken).ConfigureAwait(false);
        var back = await MoveAllAsync(returning, holding, queue, cancellationToken).ConfigureAwait(false);
        // Quorum queues take no "only if empty" delete: every message was confirmed back and taken, so it is empty.
        await returning.QueueDeleteAsync(holding, ifUnused: false, ifEmpty: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        context.Console.WriteLine($"'{queue}' is now a quorum queue: {back} message(s) kept, in their order.");
        return ExitCodes.Ok;
    }

    /// <summary>Every message of <paramref name="from"/>, in order, each confirmed in <paramref name="to"/> before it is acknowledged.</summary>
    private static async Task<int> MoveAllAsync(IChannel channel, string from, string to, CancellationToken cancellationToken)
    {
        var moved = 0;
        while (await channel.BasicGetAsync(from, autoAck: false, cancellationToken).ConfigureAwait(false) is { } message)
        {
            await channel.BasicPublishAsync("", to, mandatory: true, new BasicProperties(message.BasicProperties), message.Body, cancellationToken).ConfigureAwait(false);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken).ConfigureAwait(false);
            moved++;
        }

        return moved;
    }
}
