using System.Text.Json;
using Pgvector;
using Pipeline.Contracts;
using Pipeline.Inference.Composition;
using Pipeline.Storage.Entities;

namespace Pipeline.Worker.Results;

/// <summary>
/// Turns an <see cref="ImageOutcome"/> into the row (and vector) that records it: the message's facts, then what each
/// model wrote (<see cref="ResultSheet"/>); an image a model rejected becomes a failed row with none of it.
/// </summary>
public sealed class RecordMapper(TimeProvider time)
{
    public ImageRecord ToRecord(ImageOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var now = time.GetUtcNow();
        var message = outcome.Message;
        var sheet = new ResultSheet();
        var timings = new Dictionary<string, double>(outcome.TimingsMs);
        foreach (var model in outcome.Models)
        {
            model.AddTo(sheet);
            timings[model.Role.Stage] = model.ElapsedMs;
        }

        var record = new ImageRecord
        {
            Id = message.ImageId,
            OwnerId = message.OwnerId ?? "",
            SourceType = ColumnSized(message.Source?.Type ?? ""),
            SourceUri = message.Source?.Uri is { } uri ? WithoutCredentials(uri) : null,
            // The version read; the announced one where nothing could be read, so a repeat of the message is answered.
            SourceVersion = outcome.Source?.Version ?? message.SourceVersion,
            ContentSha256 = outcome.Source?.ContentSha256,
            Width = outcome.Size?.Width,
            Height = outcome.Size?.Height,
            ProcessedWidth = outcome.Size?.ProcessedWidth,
            ProcessedHeight = outcome.Size?.ProcessedHeight,
            TimingsMs = timings,
            CreatedAt = now,
            UpdatedAt = now,
            Status = ImageStatus.Failed,
            CaptionTask = message.Task?.Kind is { Length: <= ImageRecord.MaxCaptionTaskLength } kind ? kind : null,
        };

        if ((outcome.Rejection ?? sheet.Rejection) is { } rejection)
        {
            record.FailureReason = rejection.Reason;
            record.FailureMessage = rejection.Message;
            return record;
        }

        record.Status = ImageStatus.Described;
        record.StandInModels = sheet.ByStandIn;
        if (sheet.Embedding is (var embeddedBy, var vector))
        {
            record.EmbeddingModelId = embeddedBy.ModelId;
            record.Embeddings.Add(new ImageEmbeddingRecord
            {
                ImageId = record.Id,
                ModelId = embeddedBy.ModelId,
                Embedding = new Vector(vector),
                CreatedAt = now,
            });
        }

        if (sheet.Caption is (var captionedBy, var caption, var answer, var usage))
        {
            record.Caption = caption;
            record.CaptionModelId = captionedBy.ModelId;
            record.Answer = answer;
            record.CaptionInputTokens = usage?.InputTokens;
            record.CaptionOutputTokens = usage?.OutputTokens;
        }

        IReadOnlyList<string> textLines = [];
        if (sheet.Text is (var readBy, var lines, var unread))
        {
            record.OcrUnreadRegions = unread;
            textLines = [.. lines.Select(l => l.Text)];
            record.OcrText = textLines.Count == 0 ? null : string.Join('\n', textLines);
            record.OcrLines = JsonSerializer.Serialize(lines.Select(l => new
            {
                text = l.Text,
                confidence = Math.Round(l.Confidence, 4),
                box = l.Box.Select(p => new[] { Math.Round(p.X, 1), Math.Round(p.Y, 1) }),
            }));
            record.OcrModelId = readBy.ModelId;
        }

        if (sheet.LongDescription is (_, var description))
        {
            record.LongDescription = description;
        }

        if (sheet.Objects is (_, var boxes))
        {
            record.Objects = JsonSerializer.Serialize(
                boxes.Select(b => new DetectedObject(b.Label, [Round(b.X1), Round(b.Y1), Round(b.X2), Round(b.Y2)])), DetectedObject.Json);
        }

        // The text stored is the text the alt-text quotes: a row never shows text it does not hold.
        record.AltText = AltText.Compose(record.Caption, textLines);
        return record;
    }

    private static float Round(float pixels) => MathF.Round(pixels, 2);

    // A URL may arrive with a user name and password in it; it is refused for that, and they are not kept either.
    private static string WithoutCredentials(Uri uri) =>
        uri.IsAbsoluteUri && uri.UserInfo.Length > 0 ? new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString() : uri.ToString();

    // An unknown source type is recorded as sent, cut to its column, so that its failed row can still be written.
    private static string ColumnSized(string sourceType) =>
        sourceType.Length <= ImageRecord.MaxSourceTypeLength ? sourceType : sourceType[..ImageRecord.MaxSourceTypeLength];
}
