using MassTransit;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Storage;
using Pipeline.Storage.Entities;
using Pipeline.Worker.Stages.Captioning;
using Pipeline.Worker.Stages.Decoding;
using Pipeline.Worker.Stages.Fetching;
using Pipeline.Worker.Stages.Inference;
using Pipeline.Worker.Stages.Persisting;
using Pipeline.Worker.Stages.Publishing;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Batches;

/// <summary>
/// Runs one consumed batch through the stages: look up finished ids (<see cref="StoredResults"/>), prepare (fetch + decode, in parallel), inference
/// (embed, caption, read text: queued on the device's <see cref="InferenceScheduler"/>, batched with other consumed
/// batches' images), insert (one transaction), publish. Decisions are made per image, never per batch.
/// </summary>
public sealed partial class BatchProcessor(
    ImageResultStore store,
    FetchStage fetch,
    DecodeStage decode,
    InferenceScheduler inference,
    TaskCheck taskCheck,
    ChatCaptionStage chatCaption,
    RecordMapper records,
    ResultPublisher results,
    PipelineMetrics metrics,
    ILogger<BatchProcessor> logger)
{
    public async Task ProcessAsync(IReadOnlyList<ImageUploaded> messages, IPublishEndpoint publisher, CancellationToken cancellationToken)
    {
        metrics.RecordBatch(messages.Count);
        var unique = messages.DistinctBy(m => m.ImageId, StringComparer.Ordinal).ToList();
        var stored = await store.FindAsync(unique.Select(m => m.ImageId).ToList(), cancellationToken).ConfigureAwait(false);
        var finished = new Dictionary<string, ImageRecord>(StringComparer.Ordinal);
        var replacing = new Dictionary<string, ImageRecord>(StringComparer.Ordinal);
        foreach (var message in unique)
        {
            if (stored.TryGetValue(message.ImageId, out var row))
            {
                (StoredResults.Answers(row, message) ? finished : replacing)[message.ImageId] = row;
            }
        }

        var work = unique.Where(m => !finished.ContainsKey(m.ImageId)).Select(m => new ImageWork(m)).ToList();
        try
        {
            using var expected = inference.Expect(work.Count);
            await Task.WhenAll(work.Select(w => PrepareAsync(w, cancellationToken))).ConfigureAwait(false);
            var decoded = work.Where(w => !w.IsRejected).ToList();
            var remoteCaptions = chatCaption.RunAsync(decoded, cancellationToken);
            await Task.WhenAll(inference.RunAsync(decoded, expected, cancellationToken), remoteCaptions).ConfigureAwait(false);
            ChatCaptionStage.Apply(decoded, await remoteCaptions.ConfigureAwait(false));

            var written = work.Select(records.ToRecord).ToList();
            await store.WriteAsync(written, replacing, StageNames.Persist, cancellationToken).ConfigureAwait(false);

            var rejected = work.Count(w => w.IsRejected);
            LogBatch(logger, messages.Count, written.Count, replacing.Count, finished.Count, rejected);
            await results.PublishAsync(finished.Values.Concat(written).ToList(), publisher, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var item in work)
            {
                item.Dispose();
            }
        }
    }

    /// <summary>Fetch and decode of one image; the images of a batch run this side by side.</summary>
    private async Task PrepareAsync(ImageWork work, CancellationToken cancellationToken)
    {
        taskCheck.Run(work);
        await fetch.RunAsync(work, cancellationToken).ConfigureAwait(false);
        await decode.RunAsync(work, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Batch of {Messages} messages: {Written} images written ({Replaced} of them new versions replacing a row), {AlreadyFinished} already finished, {Rejected} rejected")]
    private static partial void LogBatch(ILogger logger, int messages, int written, int replaced, int alreadyFinished, int rejected);
}
