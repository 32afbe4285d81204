using System.Text.Json;
using Pipeline.Api.Owners;
using Pipeline.Contracts;
using Pipeline.Storage.Entities;

namespace Pipeline.Api.Images;

/// <summary>An image as the API shows it: its stored result (the original's getAltText_time: text, sizes and timings), or that it is pending.</summary>
/// <param name="Status"><c>pending</c>, <c>described</c> or <c>failed</c>.</param>
/// <param name="OcrLines">Each line read in the picture with its box and confidence.</param>
/// <param name="OcrUnreadRegions">Text regions the text reader found but could not read (a script its alphabet lacks).</param>
/// <param name="LongDescription">A paragraph describing the picture, when the captioner writes one (for aria-describedby).</param>
/// <param name="Objects">Objects found in the picture: [{"label", "box": [x1, y1, x2, y2]}] in the picture's pixels.</param>
/// <param name="TimingsMs">Milliseconds per stage: fetch, decode, embed, caption, ocr, persist.</param>
public sealed record ImageView(
    string Id,
    string Status,
    string? AltText,
    string? Caption,
    string? OcrText,
    JsonElement? OcrLines,
    int? OcrUnreadRegions,
    string? LongDescription,
    JsonElement? Objects,
    int? Width,
    int? Height,
    int? ProcessedWidth,
    int? ProcessedHeight,
    string? ContentHash,
    ModelsView? Models,
    bool StandInModels,
    IReadOnlyDictionary<string, double>? TimingsMs,
    FailureView? Failure,
    DateTimeOffset? CreatedAt,
    ImageLinks Links)
{
    public const string Pending = "pending";

    public static ImageView FromRecord(string owner, ImageRecord row)
    {
        var id = ImageIds.ShownId(owner, row.Id);
        return new ImageView(
            id,
            row.Status,
            row.AltText,
            row.Caption,
            row.OcrText,
            row.OcrLines is null ? null : JsonSerializer.Deserialize<JsonElement>(row.OcrLines),
            row.OcrUnreadRegions,
            row.LongDescription,
            row.Objects is null ? null : JsonSerializer.Deserialize<JsonElement>(row.Objects),
            row.Width,
            row.Height,
            row.ProcessedWidth,
            row.ProcessedHeight,
            row.ContentSha256,
            new ModelsView(row.EmbeddingModelId, row.CaptionModelId, row.OcrModelId),
            row.StandInModels,
            row.TimingsMs,
            row.FailureReason is null ? null : new FailureView(row.FailureReason, row.FailureMessage),
            row.CreatedAt,
            ImageLinks.For(id));
    }

    public static ImageView PendingFor(string imageId) =>
        new(imageId, Pending, null, null, null, null, null, null, null, null, null, null, null, null, null, false, null, null, null, ImageLinks.For(imageId));
}

/// <param name="Embedding">The CLIP model of the stored vector.</param>
/// <param name="Caption">The captioner behind the caption and alt-text.</param>
/// <param name="Ocr">The text reader.</param>
public sealed record ModelsView(string? Embedding, string? Caption, string? Ocr);

/// <param name="Reason">A stable code (empty-file, truncated-image, …: see docs/MESSAGES.md).</param>
public sealed record FailureView(string Reason, string? Message);

public sealed record ImageLinks(string Self, string Content, string Thumbnail, string Similar)
{
    public static ImageLinks For(string imageId)
    {
        var self = $"/v1/images/{Uri.EscapeDataString(imageId)}";
        return new ImageLinks(self, $"{self}/content", $"{self}/content?width=256", $"{self}/similar");
    }
}

public sealed record ImagePage(IReadOnlyList<ImageView> Items, int Page, int PageSize, bool HasMore);
