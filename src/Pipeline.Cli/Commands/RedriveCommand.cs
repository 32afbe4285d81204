using System.CommandLine;
using Pipeline.Cli.Errors;
using Pipeline.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Pipeline.Cli.Commands;

/// <summary>
/// Moves messages that exhausted their retries from <c>&lt;queue&gt;_error</c> back to the queue, once the fault that
/// parked them is fixed. Each message is republished (confirmed by the broker) before it is removed from the error
/// queue, so a crash mid-way can only leave a copy in both, never lose one; the worker's idempotency absorbs copies.
/// </summary>
internal static class RedriveCommand
{
    /// <summary>What MassTransit recorded about the failure; a message that fails again gets fresh ones.</summary>
    private static readonly string[] FaultHeaderPrefixes = ["MT-Fault-", "MT-Reason"];

    public static Command Create()
    {
        var queue = new Option<string>("--queue") { Description = "The worker's input queue.", DefaultValueFactory = _ => QueueNames.ImageUploaded };
        var limit = new Option<int?>("--limit") { Description = "Move at most this many (default: all that are there when it starts)." };
        var command = new Command("redrive", "Move messages from <queue>_error back to <queue> to be processed again.") { queue, limit };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetRequiredValue(queue), parse.GetValue(limit), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string queue, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1)
        {
            throw new CliException(ExitCodes.Usage, "--limit must be at least 1.");
        }

        var rabbit = RabbitMqConnection.Parse(CliConfiguration.Load().ConnectionString("RabbitMq", "to reach the queues"));
        var factory = rabbit.CreateConnectionFactory();
        var errorQueue = queue + "_error";
        await using var connection = await factory.CreateConnectionAsync("pipeline redrive", cancellationToken).ConfigureAwait(false);
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

        // Only what is there now: a message that fails again while this runs must not be moved round and round.
        var toMove = Math.Min(waiting, (uint)(limit ?? int.MaxValue));
        var moved = 0;
        while (moved < toMove
            && await channel.BasicGetAsync(errorQueue, autoAck: false, cancellationToken).ConfigureAwait(false) is { } message)
        {
            var properties = new BasicProperties(message.BasicProperties);
            if (properties.Headers is { } headers)
            {
                foreach (var name in headers.Keys.Where(k => FaultHeaderPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
                {
                    headers.Remove(name);
                }
            }

            await channel.BasicPublishAsync("", queue, mandatory: true, properties, message.Body, cancellationToken).ConfigureAwait(false);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken).ConfigureAwait(false);
            moved++;
        }

        var left = (await channel.QueueDeclarePassiveAsync(errorQueue, cancellationToken).ConfigureAwait(false)).MessageCount;
        AnsiConsole.MarkupLineInterpolated($"Moved [bold]{moved}[/] message(s) from {errorQueue} to {queue}; {left} left in {errorQueue}.");
        return ExitCodes.Ok;
    }
}
