namespace Pipeline.Api.BlobEvents;

/// <summary>
/// The Event Grid webhook for storage accounts that push (section <c>BlobEvents</c>). Which containers it accepts and
/// whose their blobs are come from <c>BlobWatch</c>, the same settings as the worker's watcher.
/// </summary>
public sealed class BlobEventsOptions
{
    public const string Section = "BlobEvents";

    public const int MinimumKeyLength = 16;

    /// <summary>Maps <c>POST /v1/events/blob-storage</c>.</summary>
    public bool Enabled { get; set; }

    /// <summary>The shared secret the subscription sends as <c>?key=</c> (or the <c>X-Blob-Events-Key</c> header).</summary>
    public string Key { get; set; } = "";
}
