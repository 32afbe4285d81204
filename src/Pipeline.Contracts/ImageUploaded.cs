using System.Text.Json;
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
public sealed record ImageUploaded(
    string ImageId,
    string OwnerId,
    ImageSource Source,
    string? ContentHash = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CaptionTask? Task = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SourceVersion = null) : IJsonOnDeserialized
{
    /// <summary>Longest <see cref="ImageId"/>, <see cref="OwnerId"/> and <see cref="SourceVersion"/> (their columns' size).</summary>
    public const int MaxIdLength = 200;

    /// <summary>
    /// A message without a usable id cannot have a row or an event, so it is refused while it is read: the broker
    /// client then parks that one message in the <c>_error</c> queue, with this reason in its headers, before it
    /// can join (and fail) a batch of good ones. Problems of anything else are the image's, reported per image.
    /// </summary>
    void IJsonOnDeserialized.OnDeserialized()
    {
        if (string.IsNullOrWhiteSpace(ImageId))
        {
            throw new JsonException("The message has no imageId: there is nothing to key a result by.");
        }

        RequireStorable(ImageId, "imageId");
        if (OwnerId is not null)
        {
            RequireStorable(OwnerId, "ownerId");
        }

        RequireNoControlCharacters(Source?.Type, "source.type");
        RequireNoControlCharacters(ContentHash, "contentHash");
        if (SourceVersion is not null)
        {
            RequireStorable(SourceVersion, "sourceVersion");
        }
    }

    private static void RequireStorable(string value, string name)
    {
        if (value.Length > MaxIdLength)
        {
            throw new JsonException($"The message's {name} has {value.Length} characters; at most {MaxIdLength} are allowed.");
        }

        RequireNoControlCharacters(value, name);
    }

    // Control characters forge log lines and NUL cannot be stored in Postgres text.
    private static void RequireNoControlCharacters(string? value, string name)
    {
        if (value is not null && value.Any(char.IsControl))
        {
            throw new JsonException($"The message's {name} contains control characters.");
        }
    }
}
