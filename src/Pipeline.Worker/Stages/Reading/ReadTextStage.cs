using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Worker.Batches;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Stages.Reading;

/// <summary>Reads the text in every decoded picture of the batch: one detection pass, width-sorted recognition.</summary>
public sealed class ReadTextStage(OptionalTextReader textReader)
{
    public async Task RunAsync(IReadOnlyList<ImageWork> images, CancellationToken cancellationToken)
    {
        if (textReader.Instance is not { } reader || images.Count == 0)
        {
            return;
        }

        using var span = PipelineActivities.StartModel(StageNames.ReadText);
        var started = Stopwatch.GetTimestamp();
        var results = await reader.ReadAsync(images.Select(i => i.Image!.Bitmap).ToList(), cancellationToken).ConfigureAwait(false);
        var elapsed = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        for (var i = 0; i < images.Count; i++)
        {
            images[i].Ocr = results[i];
            images[i].TimingsMs[StageNames.ReadText] = elapsed;
            images[i].ReleaseImage();
        }
    }
}
