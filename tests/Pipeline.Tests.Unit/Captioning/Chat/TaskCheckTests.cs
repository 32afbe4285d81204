using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Inference.Captioning.Chat;
using Pipeline.Worker.Batches;
using Pipeline.Worker.Stages.Captioning;

namespace Pipeline.Tests.Unit.Captioning.Chat;

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
        var work = Check(new CaptionTask(kind, prompt, label is null ? null : [label]), withChat: true);

        Assert.Equal(FailureReasons.UnsupportedTask, work.Rejection?.Reason);
        Assert.Contains(says, work.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TasksBeyondCaptionsNeedTheChatBackend()
    {
        var onnx = Check(new CaptionTask(CaptionTaskKinds.DetailedCaption), withChat: false);
        Assert.Equal(FailureReasons.UnsupportedTask, onnx.Rejection?.Reason);
        Assert.Contains("Captioning:Backend OpenAI", onnx.Rejection!.Message, StringComparison.Ordinal);

        Assert.False(Check(new CaptionTask(CaptionTaskKinds.Caption), withChat: false).IsRejected);
        Assert.False(Check(new CaptionTask(CaptionTaskKinds.DetailedCaption), withChat: true).IsRejected);
        Assert.False(Check(new CaptionTask(CaptionTaskKinds.Question, "Is it raining?"), withChat: true).IsRejected);
    }

    private static ImageWork Check(CaptionTask task, bool withChat)
    {
        using var chat = new OptionalChatCaptioner(withChat
            ? new ChatCaptioner(
                Options.Create(new ChatCaptionerOptions { ApiKey = "k", Model = "m", Endpoint = new Uri("http://127.0.0.1:9/v1") }),
                TimeProvider.System,
                NullLogger<ChatCaptioner>.Instance)
            : null);
        var work = new ImageWork(new ImageUploaded("task-check", "owner", ImageSource.Inline([1]), Task: task));
        new TaskCheck(chat).Run(work);
        return work;
    }
}
