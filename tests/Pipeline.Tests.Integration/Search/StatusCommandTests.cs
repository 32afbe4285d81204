using Pipeline.Cli.Commands.Status;
using RabbitMQ.Client;
using static Pipeline.Tests.Integration.Search.SearchCorpus;

namespace Pipeline.Tests.Integration.Search;

/// <summary><c>pipeline status</c> over the corpus database and a queue of the test's own holding three messages.</summary>
public sealed class StatusCommandTests(SearchCorpus corpus) : IClassFixture<SearchCorpus>
{
    [Fact]
    public async Task StatusCountsImagesPerOwnerAndReasonAndReadsTheQueueDepth()
    {
        var queue = "status-test-" + Guid.NewGuid().ToString("N")[..8];
        var factory = new ConnectionFactory { Uri = new Uri(corpus.Database.Services.Endpoints.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync(TestContext.Current.CancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false, cancellationToken: TestContext.Current.CancellationToken);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                await channel.BasicPublishAsync("", queue, "{}"u8.ToArray(), TestContext.Current.CancellationToken);
            }

            var (exitCode, output) = await RunAsync("status", "--queue", queue);

            Assert.True(exitCode == 0, output);
            var rows = CliConsole.Rows(output);
            Assert.Contains(["alice", "33", "1", "34"], rows);
            Assert.Contains(["bob", "4", "0", "4"], rows);
            Assert.Contains(["carol", "3", "0", "3"], rows);
            Assert.Contains(["all", "40", "1", "41"], rows);
            Assert.Contains(["corrupt-image", "1"], rows);
            Assert.Contains([queue, "3", "0"], rows);
            Assert.Contains([queue + "_error", "no such queue", ""], rows);
        }
        finally
        {
            await channel.QueueDeleteAsync(queue, cancellationToken: CancellationToken.None);
        }
    }

    [Fact]
    public async Task StatusForOneOwnerShowsOnlyThatOwner()
    {
        var (exitCode, output) = await RunAsync("status", "--owner", Bob, "--queue", "status-test-absent-" + Guid.NewGuid().ToString("N")[..8]);

        Assert.True(exitCode == 0, output);
        var rows = CliConsole.Rows(output);
        Assert.Contains(["bob", "4", "0", "4"], rows);
        Assert.DoesNotContain(rows, row => row[0] is "alice" or "carol" or "all" or "failure reason");
    }

    private Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var settings = corpus.Database.Configuration();
        settings["ConnectionStrings:RabbitMq"] = corpus.Database.Services.Endpoints.RabbitMq;
        return CliConsole.RunAsync(settings, context => [StatusCommand.Create(context)], args);
    }
}
