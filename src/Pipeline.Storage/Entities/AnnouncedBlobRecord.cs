namespace Pipeline.Storage.Entities;

/// <summary>
/// A blob announced as <c>ImageUploaded</c> by the blob watcher or the blob-events endpoint (table
/// <c>announced_blobs</c>): the exactly-once record. A blob is announced again only when its ETag differs from the one
/// here, i.e. when it was overwritten.
/// </summary>
public sealed class AnnouncedBlobRecord
{
    public const int MaxContainerLength = 63;

    /// <summary>Azure's limit on blob names.</summary>
    public const int MaxNameLength = 1024;

    public required string Container { get; set; }

    public required string Name { get; set; }

    /// <summary>The announced version, as <c>BlobAnnouncement.Version</c> normalises it.</summary>
    public required string ETag { get; set; }

    /// <summary>The blob's last-modified time as listed (the event's time for pushed events).</summary>
    public DateTimeOffset LastModified { get; set; }

    public DateTimeOffset AnnouncedAt { get; set; }
}
