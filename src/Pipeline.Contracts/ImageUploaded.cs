using System.Text.Json.Serialization;

namespace Pipeline.Contracts;

/// <summary>
/// Announces an image to describe. Published by producers in other systems (or by the blob watcher)
/// to the <c>image-uploaded</c> queue, either as a MassTransit envelope or as raw JSON.
/// </summary>
/// <param name="ImageId">The producer's id for the image; the idempotency key of the whole pipeline.</param>
/// <param name="OwnerId">Whose image it is; search is scoped to it.</param>
/// <param name="Source">Where the bytes are.</param>
/// <param name="ContentHash">Optional lowercase hex SHA-256 of the bytes; checked when present.</param>
/// <param name="Task">Optional: what the captioner should answer besides the alt-text (OpenAI-compatible backend).</param>
/// <param name="SourceVersion">Optional version of the source (a blob's ETag). A stored result answers the message only
/// when it describes this version; another version is described again and replaces it. Without one, any stored result
/// answers. Left out of the JSON when absent, so producers that never send it see the same wire format as before.</param>
[JsonConverter(typeof(ImageUploadedJsonConverter))]
public sealed record ImageUploaded(
    string ImageId,
    string OwnerId,
    ImageSource Source,
    string? ContentHash = null,
    CaptionTask? Task = null,
    string? SourceVersion = null)
{
    /// <summary>Longest <see cref="ImageId"/>, <see cref="OwnerId"/> and <see cref="SourceVersion"/> (their columns' size).</summary>
    public const int MaxIdLength = 200;

    /// <summary>
    /// What was wrong with the message besides its id, found while it was read (a field of the wrong type, an owner
    /// that cannot be stored): its image fails with <c>invalid-message</c> naming them. Never sent.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<string> Problems { get; init; } = [];

    public bool Equals(ImageUploaded? other) =>
        other is not null
        && ImageId == other.ImageId && OwnerId == other.OwnerId && Equals(Source, other.Source) && ContentHash == other.ContentHash
        && Equals(Task, other.Task) && SourceVersion == other.SourceVersion && Problems.SequenceEqual(other.Problems);

    public override int GetHashCode() => HashCode.Combine(ImageId, OwnerId, Source, ContentHash, Task, SourceVersion, Problems.Count);
}
