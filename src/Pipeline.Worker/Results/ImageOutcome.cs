using Pipeline.Contracts;
using Pipeline.Inference.Contract;

namespace Pipeline.Worker.Results;

/// <summary>Everything known about one image once its batch has run: what becomes its row and its result event.</summary>
/// <param name="Source">What was read, when the bytes could be read.</param>
/// <param name="Size">Its size as uploaded and as the models saw it, when it could be decoded.</param>
/// <param name="TimingsMs">Each stage's time so far (fetch, decode); each model's run is added from <paramref name="Models"/>.</param>
/// <param name="Rejection">Why it failed before any model ran, if it did.</param>
/// <param name="Models">Each enabled model's result, in the order they ran.</param>
public sealed record ImageOutcome(
    ImageUploaded Message,
    FetchedSource? Source,
    ImageSize? Size,
    IReadOnlyDictionary<string, double> TimingsMs,
    ImageRejectedException? Rejection,
    IReadOnlyList<ModelOutcome> Models);

/// <param name="ContentSha256">The bytes' SHA-256, lowercase hex.</param>
/// <param name="Version">The version of the source the bytes were read from (a blob's ETag).</param>
public sealed record FetchedSource(string ContentSha256, string? Version);

/// <summary>Size as uploaded (after orientation) and after downscaling.</summary>
public sealed record ImageSize(int Width, int Height, int ProcessedWidth, int ProcessedHeight);
