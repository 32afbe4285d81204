using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Worker.Batches;
using Pipeline.Worker.Telemetry;
using Pipeline.Worker.Stages.Inference;

namespace Pipeline.Worker.Stages.Captioning;

/// <summary>Captions every decoded image of the batch: one encoder pass and one batched decoding loop.</summary>
public sealed class CaptionStage(OptionalCaptioner captioner)
{
    public async Task RunAsync(IReadOnlyList<ImageWork> images, CancellationToken cancellationToken)
    {
        if (captioner.Instance is not { } model || images.Count == 0)
        {
            return;
        }

        using var batch = new PixelBatch(images, image => image.CaptionerPixels, model.Preprocessing.TensorLength);
        using var span = PipelineActivities.StartModel(StageNames.Caption);
        var started = Stopwatch.GetTimestamp();
        var captions = await model.CaptionAsync(batch.Pixels, images.Count, cancellationToken).ConfigureAwait(false);
        var elapsed = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        for (var i = 0; i < images.Count; i++)
        {
            images[i].Caption = captions[i];
            images[i].TimingsMs[StageNames.Caption] = elapsed;
        }
    }
}
