using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.Messaging;
using Pipeline.Sources.Watching;
using Pipeline.Storage.Watching;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Intake.Watching;

/// <summary>
/// One poll of a watched container. Azure's List Blobs cannot filter by time, so it lists the container (prefix) and
/// announces each blob whose (name, ETag) is not in <c>announced_blobs</c>: new blobs and overwritten ones. Only blobs
/// modified since the container's cursor minus <see cref="BlobWatchOptions.SafetyWindowSeconds"/> are looked up;
/// older ones were handled by earlier polls. Announcing comes first and recording second, chunk by chunk, so a crash
/// in between can only repeat announcements, never lose one.
/// </summary>
public sealed partial class ContainerPoll(
    BlobServiceClient blobs,
    BlobAnnouncementStore announcements,
    BlobOwners owners,
    IBus bus,
    InputQueueEndpoint queue,
    IOptions<BlobWatchOptions> options,
    PipelineMetrics metrics,
    ILogger<ContainerPoll> logger)
{
    /// <summary>Blobs looked up, announced and recorded together: bounds what a crash can repeat.</summary>
    private const int ChunkSize = 100;

    private readonly TimeSpan _window = TimeSpan.FromSeconds(options.Value.SafetyWindowSeconds);

    /// <returns>How many blobs were announced.</returns>
    public async Task<int> RunAsync(WatchedContainer watched, CancellationToken cancellationToken)
    {
        var prefix = watched.Prefix ?? "";
        var cursor = await announcements.ReadCursorAsync(watched.Name, prefix, cancellationToken).ConfigureAwait(false);
        var container = blobs.GetBlobContainerClient(watched.Name);
        var recent = new List<BlobItem>();
        var listing = new GetBlobsOptions { Prefix = prefix.Length == 0 ? null : prefix };
        await foreach (var blob in container.GetBlobsAsync(listing, cancellationToken).ConfigureAwait(false))
        {
            if (cursor is null || LastModified(blob) >= cursor.LastModified - _window)
            {
                recent.Add(blob);
            }
        }

        var announced = 0;
        var ordered = recent.OrderBy(LastModified).ThenBy(b => b.Name, StringComparer.Ordinal).ToList();
        foreach (var chunk in ordered.Chunk(ChunkSize))
        {
            announced += await AnnounceAsync(watched, prefix, cursor, container, chunk, cancellationToken).ConfigureAwait(false);
        }

        if (announced > 0)
        {
            LogAnnounced(logger, announced, watched.Name);
        }

        return announced;
    }

    private async Task<int> AnnounceAsync(
        WatchedContainer watched, string prefix, BlobWatchCursor? cursor, BlobContainerClient container, BlobItem[] chunk, CancellationToken cancellationToken)
    {
        var known = await announcements.AnnouncedVersionsAsync(watched.Name, chunk.Select(b => b.Name).ToList(), cancellationToken).ConfigureAwait(false);
        var endpoint = await queue.GetAsync(bus, cancellationToken).ConfigureAwait(false);
        var sent = new List<AnnouncedBlob>();
        var complete = false;
        try
        {
            foreach (var blob in chunk)
            {
                var version = BlobAnnouncement.Version(blob.Properties.ETag!.Value);
                if (known.TryGetValue(blob.Name, out var announcedVersion) && announcedVersion == version)
                {
                    continue;
                }

                if (owners.OwnerOf(watched.Name, blob.Name) is not { } owner)
                {
                    // Warned when the cursor first passes it, so once, not on every poll of the window.
                    if (cursor is null || IsPast(blob, cursor))
                    {
                        LogNoOwner(logger, blob.Name, watched.Name);
                    }

                    continue;
                }

                var message = BlobAnnouncement.Message(container.GetBlobClient(blob.Name).Uri, watched.Name, blob.Name, version, owner);
                await endpoint.Send(message, cancellationToken).ConfigureAwait(false);
                sent.Add(new AnnouncedBlob(blob.Name, version, LastModified(blob)));
            }

            complete = true;
        }
        finally
        {
            // What was sent is recorded even when the poll is cut short (the worker stopping, the broker going away),
            // so a graceful stop repeats nothing; the cursor moves only past a chunk handled whole.
            if (sent.Count > 0 || complete)
            {
                var last = chunk[^1];
                BlobWatchCursor? mark = complete ? new BlobWatchCursor(LastModified(last), last.Name) : null;
                await announcements.RecordAsync(watched.Name, sent, mark is null ? null : (prefix, mark), CancellationToken.None)
                    .ConfigureAwait(false);
                metrics.RecordAnnounced(watched.Name, sent.Count);
            }
        }

        return sent.Count;
    }

    private static DateTimeOffset LastModified(BlobItem blob) => blob.Properties.LastModified ?? DateTimeOffset.MinValue;

    private static bool IsPast(BlobItem blob, BlobWatchCursor cursor)
    {
        var modified = LastModified(blob);
        return modified > cursor.LastModified
            || (modified == cursor.LastModified && string.CompareOrdinal(blob.Name, cursor.Name) > 0);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Announced {Count} new or changed blob(s) of container {Container}")]
    private static partial void LogAnnounced(ILogger logger, int count, string container);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Blob {Name} of container {Container} matches no owner (BlobWatch:OwnerPattern) and there is no BlobWatch:DefaultOwner: not announced")]
    private static partial void LogNoOwner(ILogger logger, string name, string container);
}
