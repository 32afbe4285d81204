using Pipeline.Contracts;
using Pipeline.Storage.Entities;
using Pipeline.Tests.Integration.Infrastructure;

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
        await using var run = await PipelineRun.StartAsync(services, MaxBatchSize, cancellationToken);
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
        await using var run = await PipelineRun.StartAsync(services, MaxBatchSize, cancellationToken);
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
}
