using System.Text.Json;
using Azure.Storage.Blobs;
using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.Api.Hosting;
using Pipeline.Api.Uploads;
using Pipeline.Messaging;
using Pipeline.Sources.Watching;
using Pipeline.Storage.Watching;

namespace Pipeline.Api.BlobEvents;

/// <summary>What became of a delivery's BlobCreated events.</summary>
public sealed record BlobEventsOutcome(int Announced, int AlreadyAnnounced, int Ignored);

/// <summary>
/// Announces the blobs of <c>Microsoft.Storage.BlobCreated</c> events as the watcher would (same ImageId, owner and
/// SourceVersion, <see cref="BlobAnnouncement"/>), and records them in <c>announced_blobs</c> so that neither the watcher
/// nor a redelivered event announces the same version again. Events of another storage account, of a container that
/// is not in BlobWatch:Containers, or of a blob without an owner are ignored (logged), not refused: Event Grid does
/// not retry a refused delivery, so refusing one bad event would drop the good ones delivered with it.
/// </summary>
public sealed partial class BlobEventAnnouncer(
    ImageBlobs blobs,
    BlobServiceClient service,
    BlobOwners owners,
    BlobAnnouncementStore announcements,
    IBus bus,
    InputQueueEndpoint queue,
    TimeProvider time,
    ILogger<BlobEventAnnouncer> logger)
{
    public async Task<BlobEventsOutcome> AnnounceAsync(IReadOnlyList<EventGridEvent> events, CancellationToken cancellationToken)
    {
        var accepted = new List<CreatedBlob>();
        var ignored = 0;
        foreach (var created in events.Where(e => e.EventType == EventGridEvent.BlobCreated))
        {
            if (Accept(created) is { } blob)
            {
                accepted.Add(blob);
            }
            else
            {
                ignored++;
            }
        }

        int announced = 0, already = 0;
        var endpoint = await queue.GetAsync(bus, cancellationToken).ConfigureAwait(false);
        foreach (var container in accepted.GroupBy(b => b.Container, StringComparer.Ordinal))
        {
            var latest = container.GroupBy(b => b.Name, StringComparer.Ordinal).Select(g => g.MaxBy(b => b.LastModified)!).ToList();
            var known = await announcements.AnnouncedVersionsAsync(container.Key, latest.Select(b => b.Name).ToList(), cancellationToken)
                .ConfigureAwait(false);
            var sent = new List<AnnouncedBlob>();
            foreach (var blob in latest)
            {
                if (known.TryGetValue(blob.Name, out var version) && version == blob.Version)
                {
                    already++;
                    continue;
                }

                await endpoint.Send(BlobAnnouncement.Message(blob.Uri, blob.Container, blob.Name, blob.Version, blob.Owner), cancellationToken)
                    .ConfigureAwait(false);
                sent.Add(new AnnouncedBlob(blob.Name, blob.Version, blob.LastModified));
                LogAnnounced(logger, blob.Name, blob.Container, blob.Owner);
            }

            // Recorded after sending: a failure in between makes Event Grid redeliver (we answer 500), never lose.
            await announcements.RecordAsync(container.Key, sent, null, cancellationToken).ConfigureAwait(false);
            announced += sent.Count;
        }

        return new BlobEventsOutcome(announced, already, ignored);
    }

    private CreatedBlob? Accept(EventGridEvent created)
    {
        var data = created.Data.ValueKind == JsonValueKind.Object
            ? created.Data.Deserialize<BlobCreatedData>(JsonSerializerOptions.Web)
            : null;
        if (data?.Url is null || data.ETag is null || !Uri.TryCreate(data.Url, UriKind.Absolute, out var uri))
        {
            return Ignore(created, "it has no data.url or data.eTag");
        }

        if (blobs.InAccount(uri) is not { } blob
            || (created.Topic is { } topic && !topic.EndsWith("/storageAccounts/" + service.AccountName, StringComparison.OrdinalIgnoreCase)))
        {
            return Ignore(created, "the blob is not in the storage account this API reads");
        }

        if (created.Subject is { } subject && subject != $"/blobServices/default/containers/{blob.BlobContainerName}/blobs/{blob.Name}")
        {
            return Ignore(created, "its subject names another blob than its data.url");
        }

        if (!owners.IsWatched(blob.BlobContainerName))
        {
            return Ignore(created, $"container '{blob.BlobContainerName}' is not in BlobWatch:Containers");
        }

        if (owners.OwnerOf(blob.BlobContainerName, blob.Name) is not { } owner)
        {
            return Ignore(created, "the blob matches no owner (BlobWatch:OwnerPattern) and there is no BlobWatch:DefaultOwner");
        }

        return new CreatedBlob(
            blob.BlobContainerName, blob.Name, blob.Uri, BlobAnnouncement.Version(data.ETag), owner, created.EventTime ?? time.GetUtcNow());
    }

    private CreatedBlob? Ignore(EventGridEvent created, string why)
    {
        LogIgnored(logger, created.Id, why);
        return null;
    }

    private sealed record CreatedBlob(string Container, string Name, Uri Uri, string Version, string Owner, DateTimeOffset LastModified);

    [LoggerMessage(Level = LogLevel.Information, Message = "Announced blob {Name} of container {Container} (owner {OwnerId}) from a BlobCreated event")]
    private static partial void LogAnnounced(ILogger logger, string name, string container, string ownerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored BlobCreated event {EventId}: {Why}")]
    private static partial void LogIgnored(ILogger logger, string? eventId, string why);
}
