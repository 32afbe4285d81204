using Azure.Storage.Blobs;
using Pipeline.Contracts;
using SkiaSharp;

namespace Pipeline.Tests.Integration.Infrastructure;

/// <summary>One test's worker, database, queue, blob container and result listener.</summary>
public sealed class PipelineRun : IAsyncDisposable
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

    /// <summary>The bytes uploaded for each image id.</summary>
    public Dictionary<string, byte[]> Uploaded { get; } = [];

    public static async Task<PipelineRun> StartAsync(
        PipelineServices services,
        int maxBatchSize,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var database = await services.CreateDatabaseAsync(cancellationToken);
        var worker = await WorkerUnderTest.StartAsync(services, database, maxBatchSize, cancellationToken, overrides);
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
            Uploaded[imageId] = bytes;
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
