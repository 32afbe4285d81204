using System.ComponentModel.DataAnnotations;

namespace Pipeline.Sources.Watching;

/// <summary>
/// Blob-triggered ingestion (section <c>BlobWatch</c>): the containers whose new and changed blobs are announced, by
/// the worker's watcher (polling) and by the API's blob-events endpoint (pushed Event Grid events), and whose owner
/// each blob gets. Checked by <see cref="BlobWatchOptionsValidator"/>.
/// </summary>
public sealed class BlobWatchOptions
{
    public const string Section = "BlobWatch";

    /// <summary>Watched containers; none turns blob-triggered ingestion off.</summary>
    public IList<WatchedContainer> Containers { get; } = [];

    /// <summary>How often the worker lists each container; 0: no polling (only pushed events announce blobs).</summary>
    [Range(0, 86_400_000)]
    public int PollIntervalMs { get; set; } = 5000;

    /// <summary>
    /// A poll looks up blobs modified since the cursor minus this window, not just since the cursor: last-modified
    /// times have one-second resolution in listings and are stamped when a write commits, so a blob can appear in a
    /// listing after a newer one was seen.
    /// </summary>
    [Range(0, 86_400)]
    public int SafetyWindowSeconds { get; set; } = 60;

    /// <summary>
    /// A .NET regular expression with a named group <c>owner</c>, applied to the blob name, e.g. <c>^(?&lt;owner&gt;[^/]+)/</c>
    /// (the first folder). Containers may set their own.
    /// </summary>
    public string? OwnerPattern { get; set; }

    /// <summary>The owner of blobs the pattern does not match; without one such blobs are skipped with a warning.</summary>
    public string? DefaultOwner { get; set; }
}

/// <summary>One watched container (<c>BlobWatch:Containers:N</c>).</summary>
public sealed class WatchedContainer
{
    public string Name { get; set; } = "";

    /// <summary>Only blobs whose names start with this.</summary>
    public string? Prefix { get; set; }

    /// <summary>Every blob of the container belongs to this owner (instead of a pattern).</summary>
    public string? Owner { get; set; }

    /// <summary>This container's owner pattern, instead of <see cref="BlobWatchOptions.OwnerPattern"/>.</summary>
    public string? OwnerPattern { get; set; }
}
