using Pipeline.Contracts;
using Pipeline.Inference.Contract;
using Pipeline.Tests.Unit.Worker.Device;
using Pipeline.Worker.Processing;
using Pipeline.Worker.Processing.Tasks;

namespace Pipeline.Tests.Unit.Worker.Processing.Tasks;

/// <summary>A message's task is refused, alone and before any fetching, when the worker cannot answer it.</summary>
public sealed class TaskCheckTests
{
    [Theory]
    [InlineData("poem", null, null, "Unknown task 'poem'")]
    [InlineData(CaptionTaskKinds.Question, null, null, "needs its question")]
    [InlineData(CaptionTaskKinds.Classify, null, null, "needs 1 to 50 non-empty 'labels'")]
    [InlineData(CaptionTaskKinds.Classify, null, "", "needs 1 to 50 non-empty 'labels'")]
    public void AnIncompleteOrUnknownTaskIsRefused(string kind, string? prompt, string? label, string says)
    {
        var work = Check(new CaptionTask(kind, prompt, label is null ? null : [label]), answersTasks: true);

        Assert.Equal(FailureReasons.UnsupportedTask, work.Rejection?.Reason);
        Assert.Contains(says, work.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TasksBeyondCaptionsNeedACaptionerThatAnswersThem()
    {
        var onnx = Check(new CaptionTask(CaptionTaskKinds.DetailedCaption), answersTasks: false);
        Assert.Equal(FailureReasons.UnsupportedTask, onnx.Rejection?.Reason);
        Assert.Contains("Captioning:Backend OpenAI", onnx.Rejection!.Message, StringComparison.Ordinal);

        Assert.False(Check(new CaptionTask(CaptionTaskKinds.Caption), answersTasks: false).IsRejected);
        Assert.False(Check(new CaptionTask(CaptionTaskKinds.DetailedCaption), answersTasks: true).IsRejected);
        Assert.False(Check(new CaptionTask(CaptionTaskKinds.Question, "Is it raining?"), answersTasks: true).IsRejected);
    }

    private static ImageWork Check(CaptionTask task, bool answersTasks)
    {
        var captioner = new FakeModel(ModelRole.Captioner, (_, _) => throw new InvalidOperationException("A task check runs no model."))
        {
            TaskKinds = answersTasks ? CaptionTaskKinds.All : [],
        };
        using var models = Enabled.Models(captioner);
        var work = new ImageWork(new ImageUploaded("task-check", "owner", ImageSource.Inline([1]), Task: task));
        new TaskCheck(models).Run(work);
        return work;
    }
}
