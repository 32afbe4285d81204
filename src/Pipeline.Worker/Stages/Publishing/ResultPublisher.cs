using MassTransit;
using Pipeline.Contracts;
using Pipeline.Storage.Entities;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Stages.Publishing;

/// <summary>
/// Publishes each committed row as <see cref="ImageDescribed"/> or <see cref="ImageDescriptionFailed"/>. Runs after
/// the commit, so delivery is at-least-once: consumers dedupe by ImageId.
/// </summary>
public sealed class ResultPublisher(PipelineMetrics metrics)
{
    public async Task PublishAsync(IReadOnlyList<ImageRecord> records, IPublishEndpoint publisher, CancellationToken cancellationToken)
    {
        var publishes = new List<Task>(records.Count);
        foreach (var record in records)
        {
            if (record.Status == ImageStatus.Described)
            {
                metrics.RecordDescribed();
                publishes.Add(publisher.Publish(ToDescribed(record), cancellationToken));
            }
            else
            {
                metrics.RecordFailure(record.FailureReason ?? "unknown");
                publishes.Add(publisher.Publish(ToFailed(record), cancellationToken));
            }
        }

        await Task.WhenAll(publishes).ConfigureAwait(false);
    }

    public static ImageDescribed ToDescribed(ImageRecord record) => new(
        record.Id,
        record.OwnerId,
        record.AltText,
        record.Caption,
        record.OcrText,
        record.EmbeddingModelId,
        record.StandInModels,
        record.Width ?? 0,
        record.Height ?? 0,
        record.ProcessedWidth ?? 0,
        record.ProcessedHeight ?? 0,
        record.ContentSha256 ?? "",
        record.TimingsMs,
        record.CaptionModelId,
        record.CaptionTask,
        record.Answer,
        record.CaptionInputTokens,
        record.CaptionOutputTokens,
        record.SourceVersion);

    public static ImageDescriptionFailed ToFailed(ImageRecord record) => new(
        record.Id,
        record.OwnerId,
        record.FailureReason ?? "unknown",
        record.FailureMessage ?? "",
        record.SourceVersion);
}
