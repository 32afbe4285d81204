using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Storage;
using Pipeline.Storage.Entities;
using Pipeline.Worker.Device;
using Pipeline.Worker.Processing.Decoding;
using Pipeline.Worker.Processing.Fetching;
using Pipeline.Worker.Processing.Tasks;
using Pipeline.Worker.Results;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Processing;

/// <summary>
/// Runs one consumed batch through the stages: look up finished ids, prepare (fetch + decode, in parallel), inference
/// (every enabled model, queued on the device's <see cref="InferenceScheduler"/>, batched with other consumed batches'
/// images), write (one transaction; a row of another source version is replaced), publish. Decisions are made per
/// image, never per batch. The batch owns its images' model inputs and releases them once inference is over. Each
/// image is traced in its producer's trace (<see cref="PipelineActivities"/>).
/// </summary>
public sealed partial class BatchProcessor(
    ImageResultStore store,
    FetchStage fetch,
    DecodeStage decode,
    InferenceScheduler inference,
    TaskCheck taskCheck,
    RecordMapper records,
    ResultPublisher results,
    FaultInjection faults,
    PipelineMetrics metrics,
    ILogger<BatchProcessor> logger)
{
    public async Task ProcessAsync(IReadOnlyList<ConsumedImage> messages, IPublishEndpoint publisher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var batch = PipelineActivities.StartBatch(messages.Select(m => m.Producer).ToList());
        metrics.RecordBatch(messages.Count);
        var unique = messages.DistinctBy(m => m.Message.ImageId, StringComparer.Ordinal).ToList();
        var traces = unique.ToDictionary(
            m => m.Message.ImageId, m => PipelineActivities.StartImage(m.Message.ImageId, m.Producer, batch), StringComparer.Ordinal);
        var work = new List<ImageWork>();
        try
        {
            var stored = await store.FindAsync(unique.Select(m => m.Message.ImageId).ToList(), cancellationToken).ConfigureAwait(false);
            var finished = new Dictionary<string, ImageRecord>(StringComparer.Ordinal);
            var replacing = new Dictionary<string, ImageRecord>(StringComparer.Ordinal);
            foreach (var message in unique.Select(m => m.Message))
            {
                if (stored.TryGetValue(message.ImageId, out var row))
                {
                    (StoredResults.Answers(row, message) ? finished : replacing)[message.ImageId] = row;
                }
            }

            foreach (var consumed in unique.Where(m => !finished.ContainsKey(m.Message.ImageId)))
            {
                var item = new ImageWork(consumed.Message) { Trace = traces[consumed.Message.ImageId] };
                if (consumed.Refused is { } refused)
                {
                    item.Reject(refused);
                }

                work.Add(item);
            }

            using var expected = inference.Expect(work.Count);
            await Task.WhenAll(work.Select(w => PrepareAsync(w, cancellationToken))).ConfigureAwait(false);
            var ready = work.Where(w => w.IsReady).ToList();
            var inferred = await inference.RunAsync([.. ready.Select(w => new PassImage(w.Inputs!, w.Trace))], expected, cancellationToken)
                .ConfigureAwait(false);
            var modelResults = ready.Zip(inferred).ToDictionary(p => p.First, p => p.Second);
            foreach (var item in work)
            {
                // Inference is over: the pictures and tensors go now, not after the write and the publish.
                item.Dispose();
            }

            var written = work.Select(w => records.ToRecord(w.Outcome(modelResults.GetValueOrDefault(w) ?? []))).ToList();
            await PersistAsync(work, written, replacing, batch, cancellationToken).ConfigureAwait(false);

            var rejected = work.Count(w => w.IsRejected);
            LogBatch(logger, messages.Count, written.Count, replacing.Count, finished.Count, rejected);
            await results.PublishAsync(finished.Values.Concat(written).ToList(), publisher, traces, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The whole batch is retried: every image's trace shows the attempt that failed, and why.
            metrics.RecordBatchFault(exception);
            PipelineActivities.Fail(batch, exception);
            foreach (var trace in traces.Values)
            {
                PipelineActivities.Fail(trace, exception);
            }

            throw;
        }
        finally
        {
            foreach (var item in work)
            {
                item.Dispose();
            }

            foreach (var trace in traces.Values)
            {
                trace?.Dispose();
            }
        }
    }

    /// <summary>Fetch and decode of one image; the images of a batch run this side by side.</summary>
    private async Task PrepareAsync(ImageWork work, CancellationToken cancellationToken)
    {
        if (work.IsRejected)
        {
            return;
        }

        faults.Inject(work.ImageId);
        taskCheck.Run(work);
        await fetch.RunAsync(work, cancellationToken).ConfigureAwait(false);
        await decode.RunAsync(work, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One transaction for the batch (its SQL under the batch's span), a <c>persist</c> span in each image's trace; once
    /// committed, each image's stage timings become metrics.
    /// </summary>
    private async Task PersistAsync(
        List<ImageWork> work, List<ImageRecord> written, Dictionary<string, ImageRecord> replacing, Activity? batch, CancellationToken cancellationToken)
    {
        var spans = PipelineActivities.StartStages(StageNames.Persist, work.Select(w => w.Trace), batch);
        try
        {
            await store.WriteAsync(written, replacing, StageNames.Persist, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            spans.ForEach(span => PipelineActivities.Fail(span, exception));
            throw;
        }
        finally
        {
            spans.ForEach(span => span?.Dispose());
        }

        foreach (var (image, record) in work.Zip(written))
        {
            metrics.RecordStages(record.TimingsMs);
            if (record.FailureReason is { } reason)
            {
                image.Trace?.SetTag("pipeline.failure.reason", reason);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Batch of {Messages} messages: {Written} images written ({Replaced} of them new versions replacing a row), {AlreadyFinished} already finished, {Rejected} rejected")]
    private static partial void LogBatch(ILogger logger, int messages, int written, int replaced, int alreadyFinished, int rejected);
}
