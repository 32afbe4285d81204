using System.Buffers;
using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Worker.Batches;

namespace Pipeline.Worker.Stages.Embedding;

/// <summary>Runs the image embedder once for every decoded image of the batch.</summary>
public sealed class EmbedStage(OptionalEmbedder embedder, InferenceGate gate)
{
    public async Task RunAsync(IReadOnlyList<ImageWork> images, CancellationToken cancellationToken)
    {
        if (embedder.Instance is not { } clip || images.Count == 0)
        {
            return;
        }

        var length = clip.Preprocessing.TensorLength;
        var batch = ArrayPool<float>.Shared.Rent(images.Count * length);
        try
        {
            for (var i = 0; i < images.Count; i++)
            {
                images[i].EmbedderPixels.AsSpan(0, length).CopyTo(batch.AsSpan(i * length, length));
            }

            using (await gate.EnterAsync(cancellationToken).ConfigureAwait(false))
            {
                var started = Stopwatch.GetTimestamp();
                var vectors = await clip.EmbedAsync(batch.AsMemory(0, images.Count * length), images.Count, cancellationToken).ConfigureAwait(false);
                // The whole forward pass is the latency each image of the batch waited for.
                var elapsed = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
                for (var i = 0; i < images.Count; i++)
                {
                    images[i].Embedding = vectors[i];
                    images[i].TimingsMs[StageNames.Embed] = elapsed;
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(batch);
        }
    }
}
