using Azure.Storage.Blobs;
using Npgsql;
using Pipeline.Sources.Watching;
using Pipeline.Tests.Integration.Infrastructure;
using SkiaSharp;

namespace Pipeline.Tests.Integration.Watching;

/// <summary>What a watched image's row says, read with plain SQL.</summary>
public sealed record WatchedRow(string Id, string OwnerId, string Status, int? Width, int? Height, string? ContentSha256, string? SourceVersion);

/// <summary>A fresh container that a test's workers watch, the pictures written to it, and what the database says about them.</summary>
public sealed class WatchedBlobs : IAsyncDisposable
{
    private WatchedBlobs(BlobContainerClient container) => Container = container;

    public BlobContainerClient Container { get; }

    public static async Task<WatchedBlobs> CreateAsync(PipelineServices services, CancellationToken cancellationToken)
    {
        var container = new BlobServiceClient(services.Endpoints.Blobs).GetBlobContainerClient("watch-" + Guid.NewGuid().ToString("N")[..12]);
        await container.CreateAsync(cancellationToken: cancellationToken);
        return new WatchedBlobs(container);
    }

    /// <summary>The worker settings that watch this container, owners from the first folder, polled every 100 ms.</summary>
    public Dictionary<string, string?> WatchSettings() => new()
    {
        ["BlobWatch:Containers:0:Name"] = Container.Name,
        ["BlobWatch:OwnerPattern"] = "^(?<owner>[^/]+)/",
        ["BlobWatch:PollIntervalMs"] = "100",
    };

    public string ImageId(string name) => BlobAnnouncement.ImageId(Container.Name, name);

    /// <summary>Writes (or overwrites) a picture of this size; returns the blob's new version.</summary>
    public async Task<string> WriteAsync(string name, int width, int height, int seed, CancellationToken cancellationToken)
    {
        var hue = seed * 37 % 360;
        var bytes = TestImages.Encode(width, height, SKColor.FromHsv(hue, 80, 90), SKColor.FromHsv(360 - hue, 60, 40), SKEncodedImageFormat.Png);
        var written = await Container.GetBlobClient(name).UploadAsync(new BinaryData(bytes), overwrite: true, cancellationToken);
        return BlobAnnouncement.Version(written.Value.ETag);
    }

    public static async Task<Dictionary<string, WatchedRow>> RowsAsync(string database, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, WatchedRow>();
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT id, owner_id, status, width, height, content_sha256, source_version FROM images", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(reader.GetString(0), new WatchedRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return rows;
    }

    /// <summary>The announced version of each blob of this container, by name.</summary>
    public async Task<Dictionary<string, string>> AnnouncedAsync(string database, CancellationToken cancellationToken)
    {
        var announced = new Dictionary<string, string>();
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT name, etag FROM announced_blobs WHERE container = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Container.Name });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            announced.Add(reader.GetString(0), reader.GetString(1));
        }

        return announced;
    }

    public async ValueTask DisposeAsync() => await Container.DeleteIfExistsAsync();
}
