using Pipeline.Inference.Captioning.Chat;

namespace Pipeline.Worker.Stages.Captioning;

/// <summary>The OpenAI-compatible captioner, when Captioning:Backend is OpenAI.</summary>
public sealed class OptionalChatCaptioner(ChatCaptioner? instance) : IDisposable
{
    public ChatCaptioner? Instance { get; } = instance;

    public void Dispose() => Instance?.Dispose();
}
