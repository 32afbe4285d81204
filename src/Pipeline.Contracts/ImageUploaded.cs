namespace Pipeline.Contracts;

/// <summary>
/// Announces an image to describe. Published by producers in other systems (or by the blob watcher)
/// to the <c>image-uploaded</c> queue, either as a MassTransit envelope or as raw JSON.
/// </summary>
/// <param name="ImageId">The producer's id for the image; the idempotency key of the whole pipeline.</param>
/// <param name="OwnerId">Whose image it is; search is scoped to it.</param>
/// <param name="Source">Where the bytes are.</param>
/// <param name="ContentHash">Optional lowercase hex SHA-256 of the bytes; checked when present.</param>
public sealed record ImageUploaded(
    string ImageId,
    string OwnerId,
    ImageSource Source,
    string? ContentHash = null);
