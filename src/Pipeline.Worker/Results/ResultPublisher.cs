using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Storage.Entities;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Results;

/// <summary>
/// Publishes each committed row as <see cref="ImageDescribed"/> or <see cref="ImageDescriptionFailed"/>. Runs after
/// the commit, so delivery is at-least-once: consumers dedupe by ImageId. Each event is published in a <c>publish</c>
/// span of its image's trace, so MassTransit's send carries that trace on (<c>MT-Activity-Id</c>), and so does the
/// plain W3C <c>traceparent</c> header, for consumers without MassTransit.
/// </summary>
public sealed class ResultPublisher(PipelineMetrics metrics)
{
    /// <param name="traces">Each image's span (<see cref="PipelineActivities.StartImage"/>), by image id.</param>
    public async Task PublishAsync(
        IReadOnlyList<ImageRecord> records,
        IPublishEndpoint publisher,
        IReadOnlyDictionary<string, Activity?> traces,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(traces);
        var publishes = new List<Task>(records.Count);
        foreach (var record in records)
        {
            var trace = traces.GetValueOrDefault(record.Id);
            if (record.Status == ImageStatus.Described)
            {
                metrics.RecordDescribed();
                publishes.Add(PublishAsync(ToDescribed(record), publisher, trace, cancellationToken));
            }
            else
            {
                metrics.RecordFailure(record.FailureReason ?? "unknown");
                publishes.Add(PublishAsync(ToFailed(record), publisher, trace, cancellationToken));
            }
        }

        await Task.WhenAll(publishes).ConfigureAwait(false);
    }

    /// <summary>The span is current while MassTransit starts its send, which becomes its child.</summary>
    private static async Task PublishAsync<T>(T message, IPublishEndpoint publisher, Activity? trace, CancellationToken cancellationToken)
        where T : class
    {
        using var span = PipelineActivities.StartStage("publish", trace);
        try
        {
            await publisher.Publish(message, context =>
            {
                if (span?.Id is { } traceParent)
                {
                    context.Headers.Set(PipelineActivities.TraceParentHeader, traceParent);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            PipelineActivities.Fail(span, exception);
            throw;
        }
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
        record.SourceVersion,
        record.LongDescription,
        record.Objects is null ? null : JsonSerializer.Deserialize<List<DetectedObject>>(record.Objects, DetectedObject.Json),
        record.OcrUnreadRegions);

    public static ImageDescriptionFailed ToFailed(ImageRecord record) => new(
        record.Id,
        record.OwnerId,
        record.FailureReason ?? "unknown",
        record.FailureMessage ?? "",
        record.SourceVersion);
}
