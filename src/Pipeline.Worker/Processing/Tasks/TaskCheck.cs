using Pipeline.Contracts;
using Pipeline.Worker.Device;

namespace Pipeline.Worker.Processing.Tasks;

/// <summary>
/// Refuses a message's task before anything is fetched when it is unknown, incomplete, or not one the configured
/// captioner answers: the image fails alone with <see cref="FailureReasons.UnsupportedTask"/>.
/// </summary>
public sealed class TaskCheck(EnabledModels models)
{
    public void Run(ImageWork work)
    {
        if (work.Message.Task is { } task && Problem(task) is { } problem)
        {
            work.Reject(new ImageRejectedException(FailureReasons.UnsupportedTask, problem));
        }
    }

    private string? Problem(CaptionTask task)
    {
        if (!CaptionTaskKinds.All.Contains(task.Kind, StringComparer.Ordinal))
        {
            return $"Unknown task '{task.Kind}'; expected one of {string.Join(", ", CaptionTaskKinds.All)}.";
        }

        if (task.Prompt is { Length: > CaptionTask.MaxPromptLength })
        {
            return $"The task's prompt has {task.Prompt.Length:N0} characters; at most {CaptionTask.MaxPromptLength:N0} are allowed.";
        }

        if (task.Kind == CaptionTaskKinds.Question && string.IsNullOrWhiteSpace(task.Prompt))
        {
            return "A 'question' task needs its question in 'prompt'.";
        }

        if (task.Kind == CaptionTaskKinds.Classify
            && (task.Labels is not { Count: > 0 and <= CaptionTask.MaxLabels } labels || labels.Any(string.IsNullOrWhiteSpace)))
        {
            return $"A 'classify' task needs 1 to {CaptionTask.MaxLabels} non-empty 'labels'.";
        }

        return task.Kind != CaptionTaskKinds.Caption && !models.Answer(task.Kind)
            ? $"The task '{task.Kind}' needs a captioner that answers it (Captioning:Backend OpenAI, or Florence for detailed-caption, ocr, objects, regions and text-regions); this worker's captioner does not."
            : null;
    }
}
