using Pipeline.Contracts;

namespace Pipeline.Inference.Captioning.Chat;

/// <summary>One picture to describe: its JPEG and what its message asks besides the alt-text.</summary>
/// <param name="ImageId">For the log only.</param>
public sealed record ChatImage(string ImageId, ReadOnlyMemory<byte> Jpeg, CaptionTask? Task);

/// <summary>Tokens a provider billed, or this image's share of a request's.</summary>
public sealed record ChatUsage(int InputTokens, int OutputTokens);

/// <summary>The model's answer for one image.</summary>
/// <param name="Answer">The task's answer; null for the plain caption task.</param>
public sealed record ChatDescription(string AltText, string? Answer, ChatUsage Usage);

/// <summary>Either a description or the image's own reason for having none.</summary>
public sealed record ChatOutcome(ChatDescription? Description, ImageRejectedException? Rejection)
{
    public static ChatOutcome Described(ChatDescription description) => new(description, null);

    public static ChatOutcome Rejected(string reason, string message) => new(null, new ImageRejectedException(reason, message));
}
