using Pipeline.Contracts;
using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Captioning.Chat;

/// <summary>One picture to describe: its JPEG and what its message asks besides the alt-text.</summary>
/// <param name="ImageId">For the log only.</param>
public sealed record ChatImage(string ImageId, ReadOnlyMemory<byte> Jpeg, CaptionTask? Task);

/// <summary>The model's answer for one image.</summary>
/// <param name="Answer">The task's answer; null for the plain caption task.</param>
public sealed record ChatDescription(string AltText, string? Answer, TokenUsage Usage);

/// <summary>Either a description or the image's own reason for having none.</summary>
public sealed record ChatOutcome(ChatDescription? Description, ImageRejectedException? Rejection) : ModelResult
{
    public override void AddTo(IResultSheet sheet, ModelIdentity by)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        if (Rejection is not null)
        {
            sheet.Reject(Rejection);
        }
        else if (Description is { } description)
        {
            sheet.AddCaption(by, description.AltText, description.Answer, description.Usage);
        }
    }

    public static ChatOutcome Described(ChatDescription description) => new(description, null);

    public static ChatOutcome Rejected(string reason, string message) => new(null, new ImageRejectedException(reason, message));
}
