using Pgvector;
using Pipeline.Contracts;
using System.Text.Json;
using Pipeline.Inference.Composition;
using Pipeline.Storage.Entities;
using Pipeline.Worker.Batches;
using Pipeline.Worker.Stages.Captioning;
using Pipeline.Worker.Stages.Embedding;
using Pipeline.Worker.Stages.Reading;

namespace Pipeline.Worker.Stages.Persisting;

/// <summary>Turns a finished <see cref="ImageWork"/> into the row (and vector) that records its outcome.</summary>
public sealed class RecordMapper(
    OptionalEmbedder embedder,
    OptionalCaptioner captioner,
    OptionalChatCaptioner chatCaptioner,
    OptionalTextReader textReader,
    TimeProvider time)
{
    public ImageRecord ToRecord(ImageWork work)
    {
        var now = time.GetUtcNow();
        var message = work.Message;
        var record = new ImageRecord
        {
            Id = message.ImageId,
            OwnerId = message.OwnerId ?? "",
            SourceType = ColumnSized(message.Source?.Type ?? ""),
            SourceUri = message.Source?.Uri is { } uri ? WithoutCredentials(uri) : null,
            // The version read; the announced one where nothing could be read, so a repeat of the message is answered.
            SourceVersion = work.SourceVersion ?? message.SourceVersion,
            ContentSha256 = work.ContentSha256,
            Width = work.Size?.Width,
            Height = work.Size?.Height,
            ProcessedWidth = work.Size?.ProcessedWidth,
            ProcessedHeight = work.Size?.ProcessedHeight,
            TimingsMs = new Dictionary<string, double>(work.TimingsMs),
            CreatedAt = now,
            UpdatedAt = now,
            Status = ImageStatus.Failed,
            CaptionTask = message.Task?.Kind is { Length: <= ImageRecord.MaxCaptionTaskLength } kind ? kind : null,
        };

        if (work.Rejection is { } rejection)
        {
            record.FailureReason = rejection.Reason;
            record.FailureMessage = rejection.Message;
            return record;
        }

        record.Status = ImageStatus.Described;
        if (work.Embedding is { } embedding && embedder.Instance is { } clip)
        {
            record.EmbeddingModelId = clip.ModelId;
            record.StandInModels = clip.IsStandIn;
            record.Embeddings.Add(new ImageEmbeddingRecord
            {
                ImageId = record.Id,
                ModelId = clip.ModelId,
                Embedding = new Vector(embedding),
                CreatedAt = now,
            });
        }

        if (work.Caption is { } caption && captioner.Instance is { } model)
        {
            record.Caption = caption.Text;
            record.CaptionModelId = model.ModelId;
            record.StandInModels |= model.IsStandIn;
        }

        if (work.ChatDescription is { } described && chatCaptioner.Instance is { } chat)
        {
            record.Caption = described.AltText;
            record.CaptionModelId = chat.ModelId;
            record.Answer = described.Answer;
            record.CaptionInputTokens = described.Usage.InputTokens;
            record.CaptionOutputTokens = described.Usage.OutputTokens;
        }

        IReadOnlyList<string> textLines = [];
        if (work.Ocr is { } ocr && textReader.Instance is { } reader)
        {
            textLines = [.. ocr.Lines.Select(l => l.Text)];
            record.OcrText = ocr.Text;
            record.OcrLines = JsonSerializer.Serialize(ocr.Lines.Select(l => new
            {
                text = l.Text,
                confidence = Math.Round(l.Confidence, 4),
                box = l.Box.Select(p => new[] { Math.Round(p.X, 1), Math.Round(p.Y, 1) }),
            }));
            record.OcrModelId = reader.ModelId;
        }

        // The text stored is the text the alt-text quotes: a row never shows text it does not hold.
        record.AltText = AltText.Compose(record.Caption, textLines);
        return record;
    }

    // A URL may arrive with a user name and password in it; it is refused for that, and they are not kept either.
    private static string WithoutCredentials(Uri uri) =>
        uri.IsAbsoluteUri && uri.UserInfo.Length > 0 ? new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString() : uri.ToString();

    // An unknown source type is recorded as sent, cut to its column, so that its failed row can still be written.
    private static string ColumnSized(string sourceType) =>
        sourceType.Length <= ImageRecord.MaxSourceTypeLength ? sourceType : sourceType[..ImageRecord.MaxSourceTypeLength];
}
