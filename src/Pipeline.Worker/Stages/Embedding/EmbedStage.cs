using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Worker.Batches;
using Pipeline.Worker.Telemetry;
using Pipeline.Worker.Stages.Inference;

namespace Pipeline.Worker.Stages.Embedding;

/// <summary>Runs the image embedder once for every decoded image of the batch.</summary>
public sealed class EmbedStage(OptionalEmbedder embedder)
{
    public async Task RunAsync(IReadOnlyList<ImageWork> images, CancellationToken cancellationToken)
    {
        if (embedder.Instance is not { } clip || images.Count == 0)
        {
            return;
        }

        using var batch = new PixelBatch(images, image => image.EmbedderPixels, clip.Preprocessing.TensorLength);
        using var span = PipelineActivities.StartModel(StageNames.Embed);
        var started = Stopwatch.GetTimestamp();
        var vectors = await clip.EmbedAsync(batch.Pixels, images.Count, cancellationToken).ConfigureAwait(false);
        // The whole forward pass is the latency each image of the batch waited for.
        var elapsed = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        for (var i = 0; i < images.Count; i++)
        {
            images[i].Embedding = vectors[i];
            images[i].TimingsMs[StageNames.Embed] = elapsed;
        }
    }
}
