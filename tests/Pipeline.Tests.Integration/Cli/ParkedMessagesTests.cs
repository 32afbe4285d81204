using System.Text.RegularExpressions;
using Pipeline.Cli.Commands;
using Pipeline.Cli.Commands.Status;
using Pipeline.Cli.Queues;
using Pipeline.Messaging;
using Pipeline.Tests.Integration.Infrastructure;
using Pipeline.Tests.Integration.Search;
using RabbitMQ.Client;
using static Pipeline.Tests.Integration.Cli.ParkedQueues;

namespace Pipeline.Tests.Integration.Cli;

/// <summary>
/// <c>pipeline status</c> says why the messages in <c>&lt;queue&gt;_error</c> wait, and <c>pipeline redrive</c> moves back
/// only those a retry may help (infrastructure faults) unless given <c>--all</c>; both leave the rest in their places.
/// </summary>
public sealed class ParkedMessagesTests(PipelineServices services)
{
    // Same account name as Azurite's, but nothing listens on port 9: every fetch is a connection fault.
    private const string UnreachableBlobs = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;";

    private const string Unkeyable = """{"ownerId":"a","source":{"type":"inline","data":""}}""";

    [Fact]
    public async Task StatusGroupsParkedMessagesByReasonAndRedriveMovesOnlyThoseARetryMayHelpUnlessAll()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var database = await services.CreateDatabaseAsync(cancellationToken);
        await using var worker = await WorkerUnderTest.StartAsync(services, database, 5, cancellationToken, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Blobs"] = UnreachableBlobs,
            ["Batching:RetryLimit"] = "1",
            ["Batching:RetryMinDelayMs"] = "50",
            ["Batching:RetryMaxDelayMs"] = "100",
        });
        var queue = worker.QueueName;
        var errorQueue = queue + "_error";
        await using var connection = await new ConnectionFactory { Uri = new Uri(services.Endpoints.RabbitMq) }.CreateConnectionAsync(cancellationToken);

        // Parked by the worker itself, one at a time so that their order is known: one it cannot key (on arrival),
        // then two whose blob store it cannot reach (after their retries).
        var blobs = Enumerable.Range(0, 2).Select(i => $$$"""
            {"imageId":"parked-blob-{{{i}}}","ownerId":"owner-parked","source":{"type":"blob","uri":"http://127.0.0.1:9/devstoreaccount1/images/{{{i}}}.png"}}
            """).ToList();
        string[] byWorker = [Unkeyable, .. blobs];
        for (var i = 0; i < byWorker.Length; i++)
        {
            await PublishAsync(connection, queue, byWorker[i], null, cancellationToken);
            await WaitForDepthAsync(connection, errorQueue, (uint)i + 1, cancellationToken);
        }

        // One with the headers a worker writes when the image kept crashing it, and one RabbitMQ dead-letters at a
        // quorum queue's delivery limit.
        var crashed = """{"imageId":"parked-crashed","ownerId":"owner-parked","source":{"type":"inline","data":"AAAA"}}""";
        await PublishAsync(connection, errorQueue, crashed, new Dictionary<string, object?>
        {
            [ParkedMessages.ReasonHeader] = ParkedMessages.WorkerCrashed,
            [ParkedMessages.MessageHeader] = "Describing the image stopped the worker 3 times.",
        }, cancellationToken);
        var deadLettered = """{"imageId":"parked-delivery-limit","ownerId":"owner-parked","source":{"type":"inline","data":"AAAA"}}""";
        await DeadLetterAtDeliveryLimitAsync(connection, errorQueue, deadLettered, cancellationToken);
        string[] parked = [Unkeyable, blobs[0], blobs[1], crashed, deadLettered];

        await worker.RestartAsync(
            async () =>
            {
                // While the worker is stopped, what redrive moves stays in the input queue to be looked at.
                var status = await RunAsync(database, "status", "--queue", queue);

                Assert.True(status.ExitCode == 0, status.Output);
                var rows = CliConsole.Rows(status.Output);
                Assert.Contains([errorQueue, "5", "0"], rows);
                AssertRow(rows, "blob store unreachable (System.AggregateException)", "may succeed", "2");
                AssertRow(rows, "not keyable (System.Text.Json.JsonException)", "fails again", "1");
                AssertRow(rows, "worker-crashed", "fails again", "1");
                AssertRow(rows, "delivery limit", "fails again", "1");
                Assert.DoesNotContain("Only the first", status.Output, StringComparison.Ordinal);
                Assert.Equal(parked, await BodiesAsync(connection, errorQueue, parked.Length, cancellationToken));

                var redrive = await RunAsync(database, "redrive", "--queue", queue);

                Assert.True(redrive.ExitCode == 0, redrive.Output);
                Assert.Contains(
                    $"Moved 2 message(s) from {errorQueue} to {queue}; left 3 that would fail again (not keyable 1, worker-crashed 1, delivery limit 1): --all moves them too.",
                    Unwrapped(redrive.Output), StringComparison.Ordinal);
                Assert.DoesNotContain("in all", redrive.Output, StringComparison.Ordinal);
                var moved = await ReadAsync(connection, queue, 2, cancellationToken);
                Assert.Equal(blobs, moved.Select(m => m.Body));
                Assert.All(moved, m => Assert.DoesNotContain(m.Headers.Keys, IsParkingHeader));
                Assert.Equal([Unkeyable, crashed, deadLettered], await BodiesAsync(connection, errorQueue, 3, cancellationToken));

                var all = await RunAsync(database, "redrive", "--queue", queue, "--all");

                Assert.True(all.ExitCode == 0, all.Output);
                Assert.Contains($"Moved 3 message(s) from {errorQueue} to {queue}; 0 left in {errorQueue}.", Unwrapped(all.Output), StringComparison.Ordinal);
                var everything = await ReadAsync(connection, queue, 5, cancellationToken);
                Assert.Equal([.. blobs, Unkeyable, crashed, deadLettered], everything.Select(m => m.Body));
                Assert.All(everything, m => Assert.DoesNotContain(m.Headers.Keys, IsParkingHeader));

                // Nothing left for the restarted worker to take before it is disposed.
                await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                await channel.QueuePurgeAsync(queue, cancellationToken);
            },
            cancellationToken);
    }

    [Fact]
    public async Task RedriveLimitCountsTheMovedMessagesAndTheKeptOnesStayInTheirPlaces()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var queues = await PlainQueues.CreateAsync(services, cancellationToken);
        string[] bodies = ["""{"n":1}""", """{"n":2}""", """{"n":3}""", """{"n":4}"""];
        await PublishAsync(queues.Connection, queues.Error, bodies[0], WorkerCrashed(), cancellationToken);
        await PublishAsync(queues.Connection, queues.Error, bodies[1], DatabaseFault(), cancellationToken);
        await PublishAsync(queues.Connection, queues.Error, bodies[2], WorkerCrashed(), cancellationToken);
        await PublishAsync(queues.Connection, queues.Error, bodies[3], DatabaseFault(), cancellationToken);

        var redrive = await RunAsync(null, "redrive", "--queue", queues.Input, "--limit", "1");

        Assert.True(redrive.ExitCode == 0, redrive.Output);
        Assert.Contains(
            $"Moved 1 message(s) from {queues.Error} to {queues.Input}; left 1 that would fail again (worker-crashed 1): --all moves them too. 3 left in {queues.Error} in all.",
            Unwrapped(redrive.Output), StringComparison.Ordinal);
        Assert.Equal([bodies[1]], await BodiesAsync(queues.Connection, queues.Input, 1, cancellationToken));
        Assert.Equal([bodies[0], bodies[2], bodies[3]], await BodiesAsync(queues.Connection, queues.Error, 3, cancellationToken));
    }

    [Fact]
    public async Task StatusReadsAtMostItsCapAndLeavesTheQueueAsItWas()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var queues = await PlainQueues.CreateAsync(services, cancellationToken);
        string[] bodies = ["""{"n":1}""", """{"n":2}""", """{"n":3}"""];
        foreach (var body in bodies)
        {
            await PublishAsync(queues.Connection, queues.Error, body, DatabaseFault(), cancellationToken);
        }

        var summary = await ParkedMessagePeek.ReadAsync(RabbitMqConnection.Parse(services.Endpoints.RabbitMq), queues.Error, maxInspected: 2, cancellationToken);

        Assert.Equal((2, 3L, true), (summary.Inspected, summary.Waiting, summary.Capped));
        Assert.Equal("database unreachable (System.Net.Sockets.SocketException)", Assert.Single(summary.Groups).Reason.Label);
        Assert.Equal(bodies, await BodiesAsync(queues.Connection, queues.Error, bodies.Length, cancellationToken));
    }

    private static Dictionary<string, object?> WorkerCrashed() => new() { [ParkedMessages.ReasonHeader] = ParkedMessages.WorkerCrashed };

    private static Dictionary<string, object?> DatabaseFault() => new()
    {
        ["MT-Reason"] = "fault",
        ["MT-Fault-ExceptionType"] = "System.Net.Sockets.SocketException",
        ["MT-Fault-StackTrace"] = "   at Npgsql.Internal.NpgsqlConnector.ConnectAsync(NpgsqlTimeout timeout, CancellationToken cancellationToken)",
        ["MT-Fault-ConsumerType"] = "MassTransit.Batching.BatchConsumer<Pipeline.Contracts.ImageUploaded>",
    };

    /// <summary>A header that says why a message was parked: a moved message must not carry it into its next failure.</summary>
    private static bool IsParkingHeader(string name) =>
        name.StartsWith("MT-Fault-", StringComparison.Ordinal) || name == "MT-Reason" || name.StartsWith("pipeline-parked-", StringComparison.Ordinal)
        || name.StartsWith("x-death", StringComparison.Ordinal) || name.StartsWith("x-first-death-", StringComparison.Ordinal);

    private static void AssertRow(List<string[]> rows, string reason, string retry, string messages) =>
        Assert.True(rows.Any(row => row.Length == 5 && row.AsSpan(0, 3).SequenceEqual([reason, retry, messages])),
            $"no row '{reason} | {retry} | {messages}' in:\n{string.Join('\n', rows.Select(row => string.Join(" | ", row)))}");

    private static async Task<List<string>> BodiesAsync(IConnection connection, string queue, int count, CancellationToken cancellationToken) =>
        (await ReadAsync(connection, queue, count, cancellationToken)).Select(m => m.Body).ToList();

    /// <summary>The output as one line: the test console wraps at 200 columns, and the queue names here are long.</summary>
    private static string Unwrapped(string output) => Regex.Replace(output, @"\s*\n\s*", " ");

    private Task<(int ExitCode, string Output)> RunAsync(string? database, params string[] args) => CliConsole.RunAsync(
        new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = database, ["ConnectionStrings:RabbitMq"] = services.Endpoints.RabbitMq },
        context => [StatusCommand.Create(context), RedriveCommand.Create(context)],
        args);

    /// <summary>An input queue and its error queue of the test's own, with no worker on them.</summary>
    private sealed record PlainQueues(PipelineServices Services, IConnection Connection, string Input) : IAsyncDisposable
    {
        public string Error => Input + "_error";

        public static async Task<PlainQueues> CreateAsync(PipelineServices services, CancellationToken cancellationToken)
        {
            var connection = await new ConnectionFactory { Uri = new Uri(services.Endpoints.RabbitMq) }.CreateConnectionAsync(cancellationToken);
            var queues = new PlainQueues(services, connection, "parked-test-" + Guid.NewGuid().ToString("N")[..8]);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            foreach (var name in new[] { queues.Input, queues.Error })
            {
                await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            }

            return queues;
        }

        public async ValueTask DisposeAsync()
        {
            await Services.DeleteQueuesAsync(Input);
            await Connection.DisposeAsync();
        }
    }
}
