using MassTransit;
using RabbitMQ.Client;
using AmqpHeaders = RabbitMQ.Client.Headers;

namespace Pipeline.Messaging;

/// <summary>
/// The shape of the worker's input queues, which every process that sends to them or consumes them declares the same
/// way (RabbitMQ refuses a declaration that differs): quorum queues, so the broker counts the deliveries a consumer
/// never finished (<c>x-delivery-count</c>: a worker killed while describing the image), with a delivery limit as the
/// broker's last resort and dead-lettering into <c>&lt;queue&gt;_error</c>. The worker itself stops a poison message
/// long before that limit (<c>Batching:CrashLimit</c>). Beside each input queue, <c>&lt;queue&gt;_isolation</c> takes the
/// images whose batch stopped a worker, to be described one at a time.
/// </summary>
public static class InputQueues
{
    /// <summary>Deliveries after which the broker itself dead-letters a message (never reached while a worker runs).</summary>
    public const int DeliveryLimit = 20;

    public static string Error(string queue) => queue + "_error";

    public static string Isolation(string queue) => queue + "_isolation";

    /// <summary>
    /// Where to send: the exchange of the queue's name that the worker's endpoint binds to its queue (a send to
    /// <c>queue:</c> would declare the queue as a classic one). Declare it first (<see cref="DeclareAsync"/>).
    /// </summary>
    public static Uri SendAddress(string queue) => new($"exchange:{queue}");

    /// <summary>The quorum queue's arguments; the same wherever it is declared.</summary>
    public static Dictionary<string, object?> Arguments(string queue) => new()
    {
        [AmqpHeaders.XQueueType] = "quorum",
        ["x-delivery-limit"] = DeliveryLimit,
        [AmqpHeaders.XDeadLetterExchange] = "",
        [AmqpHeaders.XDeadLetterRoutingKey] = Error(queue),
    };

    /// <summary>A MassTransit receive endpoint on <paramref name="queue"/>, declared as <see cref="Arguments"/> says.</summary>
    public static void Configure(IRabbitMqReceiveEndpointConfigurator endpoint, string queue)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        endpoint.SetQuorumQueue();
        foreach (var (key, value) in Arguments(queue).Where(a => a.Key != AmqpHeaders.XQueueType))
        {
            endpoint.SetQueueArgument(key, value);
        }
    }

    /// <summary>
    /// MassTransit declares an endpoint's <c>_error</c> and <c>_skipped</c> queues with the endpoint's own arguments;
    /// these stay plain durable queues instead: nothing is consumed from them, and reading them (<c>pipeline status</c>)
    /// must not count as a delivery.
    /// </summary>
    public static void KeepParkingQueuesPlain(IRabbitMqBusFactoryConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.SendTopology.ConfigureErrorSettings = WithoutInputArguments;
        bus.SendTopology.ConfigureDeadLetterSettings = WithoutInputArguments;
    }

    private static void WithoutInputArguments(IRabbitMqQueueBindingConfigurator queue)
    {
        foreach (var argument in Arguments("").Keys)
        {
            queue.SetQueueArgument(argument, null);
        }
    }

    /// <summary>
    /// Declares the input queue, its exchange and binding, its isolation queue and its error queue, so that senders can
    /// send before any worker has started (nothing sent is lost) and in the shape the worker declares.
    /// </summary>
    public static async Task DeclareAsync(RabbitMqConnection rabbit, string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rabbit);
        await using var connection = await rabbit.CreateConnectionFactory().CreateConnectionAsync("pipeline declare", cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await DeclareAsync(channel, queue, cancellationToken).ConfigureAwait(false);
    }

    /// <exception cref="QueueShapeException">A queue of that name exists in another shape.</exception>
    public static async Task DeclareAsync(IChannel channel, string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        try
        {
            await DeclareEachAsync(channel, queue, cancellationToken).ConfigureAwait(false);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 406)
        {
            throw new QueueShapeException(
                $"The queue '{queue}' exists in another shape than this version declares ({e.ShutdownReason.ReplyText}): an earlier version " +
                $"made it a classic queue, and a queue's type cannot change in place. Stop the workers, then run: pipeline queues upgrade --queue {queue}", e);
        }
    }

    private static async Task DeclareEachAsync(IChannel channel, string queue, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(Error(queue), durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var name in new[] { queue, Isolation(queue) })
        {
            await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, Arguments(queue), cancellationToken: cancellationToken).ConfigureAwait(false);
            await channel.QueueBindAsync(name, name, "", cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
