using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Inference.Captioning.Chat;
using Pipeline.Worker.Batches;

namespace Pipeline.Worker.Stages.Captioning;

/// <summary>
/// Captions a consumed batch's images through the OpenAI-compatible endpoint. Runs beside the device's inference,
/// not in it: a remote call of seconds must not hold the local models idle. Outcomes are applied by
/// <see cref="Apply"/> once inference has finished with the images' buffers.
/// </summary>
public sealed class ChatCaptionStage(OptionalChatCaptioner captioner)
{
    public async Task<IReadOnlyList<ChatOutcome>> RunAsync(IReadOnlyList<ImageWork> images, CancellationToken cancellationToken)
    {
        if (captioner.Instance is not { } chat || images.Count == 0)
        {
            return [];
        }

        var started = Stopwatch.GetTimestamp();
        var outcomes = await chat.DescribeAsync(
            images.Select(i => new ChatImage(i.ImageId, i.ChatJpeg!, i.Message.Task)).ToList(),
            cancellationToken).ConfigureAwait(false);
        var elapsed = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        foreach (var image in images)
        {
            image.TimingsMs[StageNames.Caption] = elapsed;
        }

        return outcomes;
    }

    public static void Apply(IReadOnlyList<ImageWork> images, IReadOnlyList<ChatOutcome> outcomes)
    {
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (outcomes[i].Rejection is { } rejection)
            {
                images[i].Reject(rejection);
            }
            else
            {
                images[i].ChatDescription = outcomes[i].Description;
            }
        }
    }
}
