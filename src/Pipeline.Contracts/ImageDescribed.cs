namespace Pipeline.Contracts;

/// <summary>Published after an image's description and embedding are committed to the database.</summary>
/// <param name="AltText">The accessible alt-text; null while no captioner is configured.</param>
/// <param name="Caption">The captioner's own sentence, before composition with text found in the image.</param>
/// <param name="OcrText">Text read from the image, when any.</param>
/// <param name="EmbeddingModelId">The model that produced the stored embedding; null when no image embedder is configured.</param>
/// <param name="StandInModels">True when any result comes from a generated stand-in model (random weights):
/// such output is for smoke tests and must never be shown to people as a description.</param>
/// <param name="Width">Width of the image as uploaded, after EXIF orientation.</param>
/// <param name="Height">Height of the image as uploaded, after EXIF orientation.</param>
/// <param name="ProcessedWidth">Width after the downscale settings were applied.</param>
/// <param name="ProcessedHeight">Height after the downscale settings were applied.</param>
/// <param name="ContentHash">Lowercase hex SHA-256 of the bytes.</param>
/// <param name="TimingsMs">Milliseconds per stage (fetch, decode, embed, caption, persist), per image.</param>
/// <param name="CaptionModelId">The model that wrote the caption, when a captioner is configured.</param>
/// <param name="Task">The message's task kind, when it asked for one (see <see cref="CaptionTaskKinds"/>).</param>
/// <param name="Answer">The captioner's answer to that task (detailed caption, text, label or answer).</param>
/// <param name="CaptionInputTokens">Prompt tokens the provider billed for this image (its share of the request).</param>
/// <param name="CaptionOutputTokens">Completion tokens the provider billed for this image (its share of the request).</param>
/// <param name="SourceVersion">The version of the source that was described (a blob's ETag), when known: a blob
/// overwritten with new bytes is described again under the same ImageId with a new version.</param>
/// <param name="LongDescription">A paragraph describing the picture, beside the one-sentence alt-text, when the
/// captioner writes one (Florence-2).</param>
/// <param name="Objects">Objects found in the picture with their boxes, when the captioner finds them (Florence-2).</param>
/// <param name="OcrUnreadRegions">Text regions found in the picture that the text reader could not read (a script its
/// alphabet lacks), when a text reader ran: the text in <paramref name="OcrText"/> may be incomplete.</param>
public sealed record ImageDescribed(
    string ImageId,
    string OwnerId,
    string? AltText,
    string? Caption,
    string? OcrText,
    string? EmbeddingModelId,
    bool StandInModels,
    int Width,
    int Height,
    int ProcessedWidth,
    int ProcessedHeight,
    string ContentHash,
    IReadOnlyDictionary<string, double> TimingsMs,
    string? CaptionModelId = null,
    string? Task = null,
    string? Answer = null,
    int? CaptionInputTokens = null,
    int? CaptionOutputTokens = null,
    string? SourceVersion = null,
    string? LongDescription = null,
    IReadOnlyList<DetectedObject>? Objects = null,
    int? OcrUnreadRegions = null);
