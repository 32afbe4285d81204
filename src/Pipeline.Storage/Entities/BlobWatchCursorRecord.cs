namespace Pipeline.Storage.Entities;

/// <summary>
/// How far the watcher of one container (and prefix) has got (table <c>blob_watch_cursors</c>): the newest blob it has
/// handled, by last-modified time and then name. A poll looks up in <c>announced_blobs</c> only the blobs modified after
/// this mark minus a safety window; older ones were handled before.
/// </summary>
public sealed class BlobWatchCursorRecord
{
    public required string Container { get; set; }

    /// <summary>The watched prefix, empty for the whole container: a changed prefix starts from the beginning.</summary>
    public required string Prefix { get; set; }

    public DateTimeOffset LastModified { get; set; }

    public required string Name { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
