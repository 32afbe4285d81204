using Pipeline.Messaging;
using RabbitMQ.Client;

namespace Pipeline.Tests.Api.Infrastructure;

/// <summary>The broker's own view of a test queue, read with the plain RabbitMQ client.</summary>
public static class BrokerQueues
{
    /// <summary>Declared up front as the worker declares it (<see cref="InputQueues"/>) so announcements wait there even without a worker.</summary>
    public static Task DeclareAsync(string rabbitMq, string queueName) =>
        InputQueues.DeclareAsync(RabbitMqConnection.Parse(rabbitMq), queueName, CancellationToken.None);

    public static async Task<uint> MessageCountAsync(string rabbitMq, string queueName)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(rabbitMq) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queueName)).MessageCount;
    }
}
