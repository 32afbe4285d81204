using Azure.Storage.Blobs;
using Pipeline.Contracts;
using Pipeline.Storage.Entities;
using Pipeline.Tests.Integration.Infrastructure;
using RabbitMQ.Client;
using SkiaSharp;

namespace Pipeline.Tests.Integration;

/// <summary>Problems of one image fail that image only; infrastructure faults retry the batch, then park it in _error.</summary>
public sealed class FailureHandlingTests(PipelineServices services)
{
    [Fact]
    public async Task MissingAndForeignBlobsFailAloneWhileTheirNeighbourIsDescribed()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var database = await services.CreateDatabaseAsync(cancellationToken);
        await using var worker = await WorkerUnderTest.StartAsync(services, database, 5, cancellationToken);
        await using var results = await ResultCollector.StartAsync(services.Endpoints.RabbitMq, cancellationToken);
        var container = new BlobServiceClient(services.Endpoints.Blobs).GetBlobContainerClient("test-" + Guid.NewGuid().ToString("N")[..12]);
        await container.CreateAsync(cancellationToken: cancellationToken);
        var present = container.GetBlobClient("present.png");
        await present.UploadAsync(new BinaryData(TestImages.Encode(80, 60, SKColors.Red, SKColors.Blue, SKEncodedImageFormat.Png)), cancellationToken);

        var run = Guid.NewGuid().ToString("N")[..8];
        ImageUploaded[] messages =
        [
            new($"{run}-present", "owner-b", ImageSource.Blob(present.Uri)),
            new($"{run}-missing", "owner-b", ImageSource.Blob(container.GetBlobClient("missing.png").Uri)),
            new($"{run}-foreign", "owner-b", ImageSource.Blob(new Uri("https://elsewhere.blob.core.windows.net/images/x.png"))),
            new($"{run}-unknown", "owner-b", new ImageSource("ftp", new Uri("ftp://example.org/x.png"))),
        ];
        await results.SendAsync(worker.QueueName, messages, cancellationToken);
        await results.WaitForAsync(messages.Select(m => m.ImageId).ToList(), 1, TimeSpan.FromSeconds(60), cancellationToken);

        var rows = (await StoredRows.ReadAsync(database, cancellationToken)).ToDictionary(r => r.Id);
        Assert.Equal(ImageStatus.Described, rows[$"{run}-present"].Status);
        Assert.Equal(FailureReasons.BlobNotFound, rows[$"{run}-missing"].FailureReason);
        Assert.Contains("missing.png", rows[$"{run}-missing"].FailureMessage, StringComparison.Ordinal);
        Assert.Equal(FailureReasons.BlobNotAllowed, rows[$"{run}-foreign"].FailureReason);
        Assert.Equal(FailureReasons.UnknownSourceType, rows[$"{run}-unknown"].FailureReason);
        Assert.Equal(
            [FailureReasons.BlobNotAllowed, FailureReasons.BlobNotFound, FailureReasons.UnknownSourceType],
            results.Failed.Select(f => f.Reason).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task UnreachableBlobStoreRetriesTheBatchThenParksItsMessagesInTheErrorQueue()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var database = await services.CreateDatabaseAsync(cancellationToken);
        // Same account name, but nothing listens on port 9: every fetch is a connection fault, not a missing blob.
        var unreachable = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;";
        await using var worker = await WorkerUnderTest.StartAsync(services, database, 5, cancellationToken, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Blobs"] = unreachable,
            ["Batching:RetryLimit"] = "2",
            ["Batching:RetryMinDelayMs"] = "50",
            ["Batching:RetryMaxDelayMs"] = "200",
        });
        await using var results = await ResultCollector.StartAsync(services.Endpoints.RabbitMq, cancellationToken);

        var run = Guid.NewGuid().ToString("N")[..8];
        var messages = Enumerable.Range(0, 2)
            .Select(i => new ImageUploaded($"{run}-{i}", "owner-c", ImageSource.Blob(new Uri($"http://127.0.0.1:9/devstoreaccount1/images/{i}.png"))))
            .ToList();
        await results.SendAsync(worker.QueueName, messages, cancellationToken);

        var parked = await WaitForQueueDepthAsync(worker.QueueName + "_error", 2, TimeSpan.FromSeconds(60), cancellationToken);
        Assert.Equal(2u, parked);
        Assert.Empty(await StoredRows.ReadAsync(database, cancellationToken));
        Assert.Empty(results.Described);
        Assert.Empty(results.Failed);
        Assert.True(worker.BatchSizes.Count >= 3, $"expected the first try and 2 retries, saw {worker.BatchSizes.Count} batch attempts");
    }

    private async Task<uint> WaitForQueueDepthAsync(string queue, uint depth, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = new Uri(services.Endpoints.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        var deadline = DateTime.UtcNow + timeout;
        uint count = 0;
        while (DateTime.UtcNow < deadline)
        {
            // A passive declare of a queue that does not exist yet closes the channel: use a fresh one each time.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            try
            {
                count = (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
                if (count >= depth)
                {
                    return count;
                }
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
            }

            await Task.Delay(200, cancellationToken);
        }

        return count;
    }
}
