using Pipeline.Storage.Entities;
using Pipeline.Tests.Integration.Infrastructure;

namespace Pipeline.Tests.Integration.Watching;

/// <summary>
/// Blobs written to a watched Azurite container are announced by the worker's own watcher, each version exactly once,
/// across restarts and across workers, and described like any announced image.
/// </summary>
public sealed class BlobWatchingTests(PipelineServices services)
{
    private static readonly TimeSpan ResultTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Long enough for dozens of polls at 100 ms: a repeated announcement would have shown by then.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task TwentyBlobsAreDescribedOnceEachAcrossAWorkerRestartAndAnOverwrittenBlobIsDescribedAgain()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var blobs = await WatchedBlobs.CreateAsync(services, cancellationToken);
        var database = await services.CreateDatabaseAsync(cancellationToken);
        await using var results = await ResultCollector.StartAsync(services.Endpoints.RabbitMq, cancellationToken);
        await using var worker = await WorkerUnderTest.StartAsync(services, database, 5, cancellationToken, blobs.WatchSettings());

        var versions = new Dictionary<string, string>();
        for (var i = 0; i < 10; i++)
        {
            var name = $"owner-a/photo-{i:D2}.png";
            results.Watch(blobs.ImageId(name));
            versions[name] = await blobs.WriteAsync(name, 160 + 8 * i, 120, i, cancellationToken);
        }

        await results.WaitForAsync(versions.Keys.Select(blobs.ImageId).ToList(), 1, ResultTimeout, cancellationToken);
        Assert.Equal(10, worker.Announced);

        // A new worker host takes over from the same database: it must resume, not announce the first ten again.
        var unowned = blobs.ImageId("loose.png");
        results.Watch(unowned);
        await worker.RestartAsync(async () =>
        {
            for (var i = 10; i < 20; i++)
            {
                var name = $"owner-b/photo-{i:D2}.png";
                results.Watch(blobs.ImageId(name));
                versions[name] = await blobs.WriteAsync(name, 160 + 8 * i, 120, i, cancellationToken);
            }

            await blobs.WriteAsync("loose.png", 64, 64, 99, cancellationToken);
        }, cancellationToken);

        var ids = versions.Keys.Select(blobs.ImageId).ToList();
        await results.WaitForAsync(ids, 1, ResultTimeout, cancellationToken);
        await Task.Delay(Settle, cancellationToken);

        Assert.All(ids, id => Assert.Equal(1, results.CountFor(id)));
        Assert.Equal(20, worker.Announced);
        Assert.Equal(20, worker.BatchSizes.Sum());
        Assert.Equal(0, results.CountFor(unowned));
        var rows = await WatchedBlobs.RowsAsync(database, cancellationToken);
        Assert.Equal(20, rows.Count);
        foreach (var (name, version) in versions)
        {
            var row = rows[blobs.ImageId(name)];
            Assert.Equal((ImageStatus.Described, name[..7], version), (row.Status, row.OwnerId, row.SourceVersion));
        }

        Assert.Equal(versions, await blobs.AnnouncedAsync(database, cancellationToken));

        // New bytes under the same name: a new version, described again, its row replaced.
        const string overwritten = "owner-a/photo-03.png";
        var before = rows[blobs.ImageId(overwritten)];
        var newVersion = await blobs.WriteAsync(overwritten, 300, 200, 42, cancellationToken);
        await results.WaitForAsync([blobs.ImageId(overwritten)], 2, ResultTimeout, cancellationToken);
        await Task.Delay(Settle, cancellationToken);

        var again = results.Described.Last(d => d.ImageId == blobs.ImageId(overwritten));
        Assert.Equal((300, 200, newVersion), (again.Width, again.Height, again.SourceVersion));
        Assert.Equal(2, results.CountFor(blobs.ImageId(overwritten)));
        Assert.Equal(21, worker.Announced);
        rows = await WatchedBlobs.RowsAsync(database, cancellationToken);
        Assert.Equal(20, rows.Count);
        var after = rows[blobs.ImageId(overwritten)];
        Assert.Equal((ImageStatus.Described, 300, 200, newVersion), (after.Status, after.Width, after.Height, after.SourceVersion));
        Assert.NotEqual(before.ContentSha256, after.ContentSha256);
        Assert.Equal(1, await EmbeddingsOfAsync(database, blobs.ImageId(overwritten), cancellationToken));
    }

    [Fact]
    public async Task TwoWorkersWatchingOneContainerAnnounceEachBlobOnceAndTheOtherTakesOverWhenTheHolderStops()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var blobs = await WatchedBlobs.CreateAsync(services, cancellationToken);
        var database = await services.CreateDatabaseAsync(cancellationToken);
        try
        {
            await using var results = await ResultCollector.StartAsync(services.Endpoints.RabbitMq, cancellationToken);
            await using var first = await WorkerUnderTest.StartAsync(services, database, 5, cancellationToken, blobs.WatchSettings(), ownsDatabase: false);
            await using var second = await WorkerUnderTest.StartAsync(services, database, 5, cancellationToken, blobs.WatchSettings(), ownsDatabase: false);

            // Written one by one while both poll: without the lock each worker would win some of them.
            var names = Enumerable.Range(0, 10).Select(i => $"owner-c/photo-{i:D2}.png").ToList();
            foreach (var (name, i) in names.Select((n, i) => (n, i)))
            {
                results.Watch(blobs.ImageId(name));
                await blobs.WriteAsync(name, 100 + 4 * i, 80, i, cancellationToken);
                await Task.Delay(150, cancellationToken);
            }

            await results.WaitForAsync(names.Select(blobs.ImageId).ToList(), 1, ResultTimeout, cancellationToken);
            await Task.Delay(Settle, cancellationToken);
            Assert.Equal(10, first.Announced + second.Announced);
            var (holder, other) = first.Announced > 0 ? (first, second) : (second, first);
            Assert.Equal((10, 0), (holder.Announced, other.Announced));

            // The holder stops (its lock goes with its connection); the other takes over on its next poll.
            await holder.DisposeAsync();
            var later = Enumerable.Range(10, 5).Select(i => $"owner-c/photo-{i:D2}.png").ToList();
            foreach (var name in later)
            {
                results.Watch(blobs.ImageId(name));
                await blobs.WriteAsync(name, 120, 90, names.Count + later.IndexOf(name), cancellationToken);
            }

            var all = names.Concat(later).Select(blobs.ImageId).ToList();
            await results.WaitForAsync(all, 1, ResultTimeout, cancellationToken);
            await Task.Delay(Settle, cancellationToken);
            Assert.Equal(5, other.Announced);
            Assert.All(all, id => Assert.Equal(1, results.CountFor(id)));
            Assert.Equal(15, (await WatchedBlobs.RowsAsync(database, cancellationToken)).Count);
        }
        finally
        {
            await services.DropDatabaseAsync(database);
        }
    }

    private static async Task<long> EmbeddingsOfAsync(string database, string imageId, CancellationToken cancellationToken)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM image_embeddings WHERE image_id = $1", connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = imageId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
