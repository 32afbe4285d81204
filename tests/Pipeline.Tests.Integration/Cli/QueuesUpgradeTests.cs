using System.Text.RegularExpressions;
using Pipeline.Messaging;
using Pipeline.Tests.Integration.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using static Pipeline.Tests.Integration.Cli.ParkedQueues;

namespace Pipeline.Tests.Integration.Cli;

/// <summary>
/// <c>pipeline queues upgrade</c> turns the classic input queue an earlier version made into the quorum queue this
/// version declares, keeping its messages in order, and refuses while a worker still reads the queue.
/// </summary>
public sealed class QueuesUpgradeTests(PipelineServices services)
{
    [Fact]
    public async Task AClassicInputQueueBecomesAQuorumQueueWithItsMessagesInTheirOrder()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var queue = await ClassicQueue.CreateAsync(services, cancellationToken);
        string[] bodies = ["""{"n":1,"text":"고슴도치"}""", """{"n":2}""", """{"n":3}"""];
        foreach (var body in bodies)
        {
            await PublishAsync(queue.Connection, queue.Name, body, null, cancellationToken);
        }

        await using (var probe = await queue.Connection.CreateChannelAsync(cancellationToken: cancellationToken))
        {
            var refused = await Assert.ThrowsAsync<QueueShapeException>(() => InputQueues.DeclareAsync(probe, queue.Name, cancellationToken));
            Assert.EndsWith($"Stop the workers, then run: pipeline queues upgrade --queue {queue.Name}", refused.Message, StringComparison.Ordinal);
        }

        var upgrade = await RunAsync("queues", "upgrade", "--queue", queue.Name);

        Assert.True(upgrade.ExitCode == 0, upgrade.ToString());
        Assert.Equal($"'{queue.Name}' is now a quorum queue: 3 message(s) kept, in their order.", OneLine(upgrade.Output));
        await using (var channel = await queue.Connection.CreateChannelAsync(cancellationToken: cancellationToken))
        {
            // The declaration the worker makes at start-up, which a classic queue refuses, now succeeds.
            await InputQueues.DeclareAsync(channel, queue.Name, cancellationToken);
        }

        Assert.Equal(bodies, (await ReadAsync(queue.Connection, queue.Name, bodies.Length, cancellationToken)).Select(m => m.Body));

        var again = await RunAsync("queues", "upgrade", "--queue", queue.Name);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal($"'{queue.Name}' is a quorum queue with its isolation and error queues: nothing to upgrade.", OneLine(again.Output));
    }

    [Fact]
    public async Task AWorkerStillReadingTheClassicQueueStopsTheUpgradeAndTheQueueStaysAsItWas()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var queue = await ClassicQueue.CreateAsync(services, cancellationToken);
        await PublishAsync(queue.Connection, queue.Name, """{"n":1}""", null, cancellationToken);
        await WaitForDepthAsync(queue.Connection, queue.Name, 1, cancellationToken);
        await using var reader = await queue.Connection.CreateChannelAsync(cancellationToken: cancellationToken);
        // A consumer that takes nothing (prefetch 1, never acknowledged, then handed back below) stands for a running worker.
        var consumer = new AsyncEventingBasicConsumer(reader);
        await reader.BasicQosAsync(0, 1, false, cancellationToken);
        var tag = await reader.BasicConsumeAsync(queue.Name, autoAck: false, consumer, cancellationToken);

        var upgrade = await RunAsync("queues", "upgrade", "--queue", queue.Name);

        Assert.True(upgrade.ExitCode == 2, upgrade.ToString());
        Assert.Equal($"error: 1 consumer(s) read '{queue.Name}': stop the workers, then run this again.", upgrade.FirstErrorLine);
        await reader.BasicCancelAsync(tag, cancellationToken: cancellationToken);
        await reader.CloseAsync(cancellationToken);
        Assert.Equal(["""{"n":1}"""], (await ReadAsync(queue.Connection, queue.Name, 1, cancellationToken)).Select(m => m.Body));
        await using var probe = await queue.Connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await Assert.ThrowsAsync<QueueShapeException>(() => InputQueues.DeclareAsync(probe, queue.Name, cancellationToken));
    }

    /// <summary>The output as one line, however the console wrapped it.</summary>
    private static string OneLine(string output) => Regex.Replace(output.Trim(), @"\s*\n\s*", " ");

    private Task<ProgramRun> RunAsync(params string[] args) => BuiltProgram.Cli.RunAsync(
        new Dictionary<string, string?> { ["ConnectionStrings__RabbitMq"] = services.Endpoints.RabbitMq },
        args,
        TestContext.Current.CancellationToken);

    /// <summary>An input queue as an earlier version declared it: classic, durable, no arguments.</summary>
    private sealed record ClassicQueue(PipelineServices Services, IConnection Connection, string Name) : IAsyncDisposable
    {
        public static async Task<ClassicQueue> CreateAsync(PipelineServices services, CancellationToken cancellationToken)
        {
            var connection = await new ConnectionFactory { Uri = new Uri(services.Endpoints.RabbitMq) }.CreateConnectionAsync(cancellationToken);
            var queue = new ClassicQueue(services, connection, "upgrade-test-" + Guid.NewGuid().ToString("N")[..8]);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await channel.QueueDeclareAsync(queue.Name, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            return queue;
        }

        public async ValueTask DisposeAsync()
        {
            await Services.DeleteQueuesAsync(Name);
            await Services.DeleteQueuesAsync(Name + "_upgrading");
            await Connection.DisposeAsync();
        }
    }
}
