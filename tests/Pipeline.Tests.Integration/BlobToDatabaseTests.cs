using Azure.Storage.Blobs;
using Pipeline.Contracts;
using Pipeline.Storage.Entities;
using Pipeline.Tests.Integration.Infrastructure;
using SkiaSharp;

namespace Pipeline.Tests.Integration;

/// <summary>Images announced on RabbitMQ, read from Azurite, embedded by ONNX Runtime, stored in Postgres, reported back.</summary>
public sealed class BlobToDatabaseTests(PipelineServices services)
{
    private const int MaxBatchSize = 5;
    private static readonly TimeSpan ResultTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task TwelveAnnouncedBlobsEndAsElevenDescribedAndOneFailedInBatchesOfAtMostFive()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await PipelineRun.StartAsync(services, cancellationToken);
        var messages = await run.UploadTwelveAsync(cancellationToken);

        await run.Results.SendAsync(run.Worker.QueueName, messages, cancellationToken);
        await run.Results.WaitForAsync(run.ImageIds, 1, ResultTimeout, cancellationToken);

        var rows = await StoredRows.ReadAsync(run.Database, cancellationToken);
        Assert.Equal(12, rows.Count);
        var described = rows.Where(r => r.Status == ImageStatus.Described).ToList();
        Assert.Equal(11, described.Count);
        Assert.All(described, r => Assert.Equal(512, r.EmbeddingDimensions));
        Assert.All(described, r => Assert.Equal("stand-in/clip-vit-base-patch32", r.EmbeddingModelId));
        Assert.All(described, r => Assert.True(r.StandInModels, "results of a random-weight model must be marked stand-in"));
        var failed = Assert.Single(rows, r => r.Status == ImageStatus.Failed);
        Assert.Equal(run.TruncatedImageId, failed.Id);
        Assert.Equal(FailureReasons.TruncatedImage, failed.FailureReason);
        Assert.Null(failed.EmbeddingDimensions);

        Assert.Equal(11, run.Results.Described.Select(d => d.ImageId).Distinct().Count());
        Assert.All(run.Results.Described, d => Assert.True(d.StandInModels));
        var failedEvent = Assert.Single(run.Results.Failed);
        Assert.Equal((run.TruncatedImageId, FailureReasons.TruncatedImage), (failedEvent.ImageId, failedEvent.Reason));
        Assert.Contains("truncated", failedEvent.Message, StringComparison.OrdinalIgnoreCase);

        var batches = run.Worker.BatchSizes.ToList();
        Assert.Equal(12, batches.Sum());
        Assert.All(batches, size => Assert.InRange(size, 1, MaxBatchSize));
        Assert.Contains(batches, size => size > 1);
    }

    [Fact]
    public async Task AnnouncingTheSameTwelveAgainChangesNoRowAndRepublishesEveryResult()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await PipelineRun.StartAsync(services, cancellationToken);
        var messages = await run.UploadTwelveAsync(cancellationToken);
        await run.Results.SendAsync(run.Worker.QueueName, messages, cancellationToken);
        await run.Results.WaitForAsync(run.ImageIds, 1, ResultTimeout, cancellationToken);
        var before = await StoredRows.ReadAsync(run.Database, cancellationToken);

        await run.Results.SendAsync(run.Worker.QueueName, messages, cancellationToken);
        await run.Results.WaitForAsync(run.ImageIds, 2, ResultTimeout, cancellationToken);

        var after = await StoredRows.ReadAsync(run.Database, cancellationToken);
        Assert.Equal(before, after);
        Assert.Equal(22, run.Results.Described.Count);
        Assert.Equal(2, run.Results.Failed.Count);
        Assert.Equal(24, run.Worker.BatchSizes.Sum());
    }

    /// <summary>One test's worker, database, queue, blob container and result listener.</summary>
    private sealed class PipelineRun : IAsyncDisposable
    {
        private readonly BlobContainerClient _container;

        private PipelineRun(string database, WorkerUnderTest worker, ResultCollector results, BlobContainerClient container)
        {
            Database = database;
            Worker = worker;
            Results = results;
            _container = container;
        }

        public string Database { get; }

        public WorkerUnderTest Worker { get; }

        public ResultCollector Results { get; }

        public List<string> ImageIds { get; } = [];

        public string TruncatedImageId { get; private set; } = "";

        public static async Task<PipelineRun> StartAsync(PipelineServices services, CancellationToken cancellationToken)
        {
            var database = await services.CreateDatabaseAsync(cancellationToken);
            var worker = await WorkerUnderTest.StartAsync(services, database, MaxBatchSize, cancellationToken);
            var results = await ResultCollector.StartAsync(services.Endpoints.RabbitMq, cancellationToken);
            var container = new BlobServiceClient(services.Endpoints.Blobs).GetBlobContainerClient("test-" + Guid.NewGuid().ToString("N")[..12]);
            await container.CreateAsync(cancellationToken: cancellationToken);
            return new PipelineRun(database, worker, results, container);
        }

        public async Task<List<ImageUploaded>> UploadTwelveAsync(CancellationToken cancellationToken)
        {
            SKEncodedImageFormat[] formats = [SKEncodedImageFormat.Png, SKEncodedImageFormat.Jpeg, SKEncodedImageFormat.Webp, SKEncodedImageFormat.Bmp];
            var files = new List<(string Name, byte[] Bytes)>();
            for (var i = 0; i < 11; i++)
            {
                var format = formats[i % formats.Length];
                var hue = i * 360f / 11;
                var bytes = TestImages.Encode(
                    160 + 40 * i, 120 + 30 * (i % 4), SKColor.FromHsv(hue, 80, 90), SKColor.FromHsv(360 - hue, 60, 40), format);
                files.Add(($"photo-{i:D2}.{format.ToString().ToLowerInvariant()}", bytes));
            }

            files.Add(("broken.jpg", TestImages.TruncatedJpeg()));

            var messages = new List<ImageUploaded>();
            var runId = Guid.NewGuid().ToString("N")[..8];
            foreach (var (name, bytes) in files)
            {
                var blob = _container.GetBlobClient("owner-a/" + name);
                await blob.UploadAsync(new BinaryData(bytes), cancellationToken);
                var imageId = $"{runId}-{name}";
                ImageIds.Add(imageId);
                if (name == "broken.jpg")
                {
                    TruncatedImageId = imageId;
                }

                messages.Add(new ImageUploaded(imageId, "owner-a", ImageSource.Blob(blob.Uri)));
            }

            return messages;
        }

        public async ValueTask DisposeAsync()
        {
            await Results.DisposeAsync();
            await Worker.DisposeAsync();
            await _container.DeleteIfExistsAsync();
        }
    }
}
