using System.Diagnostics;
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

    [Fact]
    public async Task BlobsOutsideTheAllowedContainersAreRefusedEvenThroughDotSegments()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var blobs = new BlobServiceClient(services.Endpoints.Blobs);
        var allowed = blobs.GetBlobContainerClient("allowed-" + Guid.NewGuid().ToString("N")[..12]);
        var other = blobs.GetBlobContainerClient("other-" + Guid.NewGuid().ToString("N")[..12]);
        await allowed.CreateAsync(cancellationToken: cancellationToken);
        await other.CreateAsync(cancellationToken: cancellationToken);
        try
        {
            var picture = new BinaryData(TestImages.Encode(80, 60, SKColors.Red, SKColors.Blue, SKEncodedImageFormat.Png));
            await allowed.GetBlobClient("cat.png").UploadAsync(picture, cancellationToken);
            await other.GetBlobClient("secret.png").UploadAsync(picture, cancellationToken);
            var database = await services.CreateDatabaseAsync(cancellationToken);
            await using var worker = await WorkerUnderTest.StartAsync(services, database, 5, cancellationToken, new Dictionary<string, string?>
            {
                ["Sources:AllowedContainers:0"] = allowed.Name,
            });
            await using var results = await ResultCollector.StartAsync(services.Endpoints.RabbitMq, cancellationToken);

            var run = Guid.NewGuid().ToString("N")[..8];
            ImageUploaded[] messages =
            [
                new($"{run}-allowed", "owner-f", ImageSource.Blob(allowed.GetBlobClient("cat.png").Uri)),
                new($"{run}-other", "owner-f", ImageSource.Blob(other.GetBlobClient("secret.png").Uri)),
                new($"{run}-dot-segments", "owner-f", ImageSource.Blob(new Uri($"{allowed.Uri}/../{other.Name}/secret.png"))),
            ];
            await results.SendAsync(worker.QueueName, messages, cancellationToken);
            await results.WaitForAsync(messages.Select(m => m.ImageId).ToList(), 1, TimeSpan.FromSeconds(60), cancellationToken);

            var rows = (await StoredRows.ReadAsync(database, cancellationToken)).ToDictionary(r => r.Id);
            Assert.Equal(ImageStatus.Described, rows[$"{run}-allowed"].Status);
            foreach (var refused in new[] { $"{run}-other", $"{run}-dot-segments" })
            {
                Assert.Equal(FailureReasons.BlobNotAllowed, rows[refused].FailureReason);
                Assert.Contains($"Container '{other.Name}' is not one of Sources:AllowedContainers", rows[refused].FailureMessage, StringComparison.Ordinal);
            }
        }
        finally
        {
            await allowed.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            await other.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
        }
    }

    [Fact]
    public async Task AProblemOfTheImageIsNeverRetried()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var database = await services.CreateDatabaseAsync(cancellationToken);
        await using var worker = await WorkerUnderTest.StartAsync(services, database, 5, cancellationToken);
        await using var results = await ResultCollector.StartAsync(services.Endpoints.RabbitMq, cancellationToken);

        var imageId = "permanent-" + Guid.NewGuid().ToString("N")[..8];
        await results.SendAsync(worker.QueueName, [new ImageUploaded(imageId, "owner-d", ImageSource.Inline(TestImages.TruncatedJpeg()))], cancellationToken);
        await results.WaitForAsync([imageId], 1, TimeSpan.FromSeconds(60), cancellationToken);
        // Longer than a first retry would wait: at most (200 + 240) × 1.25 ms.
        await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken);

        Assert.Equal(FailureReasons.TruncatedImage, Assert.Single(results.Failed).Reason);
        Assert.Single(worker.BatchSizes);
        Assert.Equal(0u, await WaitForQueueDepthAsync(worker.QueueName + "_error", 1, TimeSpan.FromSeconds(1), cancellationToken));
    }

    [Fact]
    public async Task AnUnreachableDatabaseIsRetriedWithGrowingJitteredDelaysThenParkedWithItsException()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var database = await services.CreateDatabaseAsync(cancellationToken);
        // Nothing listens on port 9: every attempt fails at once, so the gaps between attempts are the retry delays.
        await using var worker = await WorkerUnderTest.StartAsync(services, database, 5, cancellationToken, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=9;Username=pipeline;Password=pipeline;Database=none",
            ["Database:MigrateOnStartup"] = "false",
            ["Batching:RetryLimit"] = "4",
            ["Batching:RetryMinDelayMs"] = "100",
            ["Batching:RetryMaxDelayMs"] = "5000",
        });
        await using var results = await ResultCollector.StartAsync(services.Endpoints.RabbitMq, cancellationToken);

        var imageId = "transient-" + Guid.NewGuid().ToString("N")[..8];
        await results.SendAsync(worker.QueueName, [new ImageUploaded(imageId, "owner-e", ImageSource.Inline(TestImages.TruncatedJpeg()))], cancellationToken);
        Assert.Equal(1u, await WaitForQueueDepthAsync(worker.QueueName + "_error", 1, TimeSpan.FromSeconds(60), cancellationToken));

        var starts = worker.BatchStarts.ToArray();
        Assert.Equal(5, starts.Length);
        var gaps = starts.Zip(starts.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b).TotalMilliseconds).ToArray();
        for (var retry = 0; retry < gaps.Length; retry++)
        {
            // MassTransit's exponential policy: min + 2^retry × delta (delta drawn from ±20 % of min), then × 0.75–1.25 jitter.
            var shortest = (100 + Math.Pow(2, retry) * 80) * 0.75;
            Assert.True(gaps[retry] >= shortest, $"retry {retry + 1} came after {gaps[retry]:F0} ms, before the {shortest:F0} ms backoff");
        }

        // The longest possible first delay, (100 + 120) × 1.25 ms, is shorter than the shortest possible fourth.
        Assert.True(gaps[3] > 275, $"delays did not grow: {string.Join(", ", gaps.Select(g => g.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} ms");
        var parked = await TakeOneAsync(worker.QueueName + "_error", cancellationToken);
        Assert.Equal("4", Header(parked, "MT-Fault-RetryCount"));
        Assert.Equal("System.Net.Sockets.SocketException", Header(parked, "MT-Fault-ExceptionType"));
        Assert.Contains("Npgsql", Header(parked, "MT-Fault-StackTrace"), StringComparison.Ordinal);
        Assert.Empty(results.Failed);
        Assert.Empty(results.Described);
    }

    private async Task<BasicGetResult> TakeOneAsync(string queue, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = new Uri(services.Endpoints.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        return await channel.BasicGetAsync(queue, autoAck: true, cancellationToken) ?? throw new InvalidOperationException($"{queue} is empty.");
    }

    /// <summary>A header MassTransit wrote (AMQP strings arrive as bytes); null when absent.</summary>
    private static string? Header(BasicGetResult message, string name)
    {
        object? value = null;
        message.BasicProperties.Headers?.TryGetValue(name, out value);
        return value is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : value?.ToString();
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
