using Pgvector;
using Pipeline.Contracts;
using Pipeline.Inference.Captioning;
using Pipeline.Inference.Embeddings;
using Pipeline.Storage.Entities;
using Pipeline.Worker.Batches;
using Pipeline.Worker.Stages.Captioning;

namespace Pipeline.Worker.Stages.Persisting;

/// <summary>Turns a finished <see cref="ImageWork"/> into the row (and vector) that records its outcome.</summary>
public sealed class RecordMapper(IImageEmbedder embedder, OptionalCaptioner captioner, TimeProvider time)
{
    public ImageRecord ToRecord(ImageWork work)
    {
        var now = time.GetUtcNow();
        var message = work.Message;
        var record = new ImageRecord
        {
            Id = message.ImageId,
            OwnerId = message.OwnerId ?? "",
            SourceType = message.Source?.Type ?? "",
            SourceUri = message.Source?.Uri?.ToString(),
            ContentSha256 = work.ContentSha256,
            Width = work.Size?.Width,
            Height = work.Size?.Height,
            ProcessedWidth = work.Size?.ProcessedWidth,
            ProcessedHeight = work.Size?.ProcessedHeight,
            TimingsMs = new Dictionary<string, double>(work.TimingsMs),
            CreatedAt = now,
            UpdatedAt = now,
            Status = ImageStatus.Failed,
        };

        if (work.Rejection is { } rejection)
        {
            record.FailureReason = rejection.Reason;
            record.FailureMessage = rejection.Message;
            return record;
        }

        var embedding = work.Embedding
            ?? throw new InvalidOperationException($"Image {work.ImageId} reached persisting without a rejection or an embedding.");
        record.Status = ImageStatus.Described;
        record.EmbeddingModelId = embedder.ModelId;
        record.StandInModels = embedder.IsStandIn;
        if (work.Caption is { } caption && captioner.Instance is { } model)
        {
            record.Caption = caption.Text;
            record.AltText = AltText.FromCaption(caption.Text);
            record.CaptionModelId = model.ModelId;
            record.StandInModels |= model.IsStandIn;
        }

        record.Embeddings.Add(new ImageEmbeddingRecord
        {
            ImageId = record.Id,
            ModelId = embedder.ModelId,
            Embedding = new Vector(embedding),
            CreatedAt = now,
        });
        return record;
    }
}
