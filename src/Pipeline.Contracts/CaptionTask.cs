namespace Pipeline.Contracts;

/// <summary>
/// What a message asks the captioner for besides the alt-text (the seeds' uses of a vision model). Only the
/// OpenAI-compatible backend answers tasks; the ONNX captioner writes captions only.
/// </summary>
/// <param name="Kind">One of <see cref="CaptionTaskKinds"/>.</param>
/// <param name="Prompt">The question (<c>question</c>) or extra instructions (any other kind).</param>
/// <param name="Labels">The labels to choose from (<c>classify</c>).</param>
public sealed record CaptionTask(string Kind, string? Prompt = null, IReadOnlyList<string>? Labels = null)
{
    /// <summary>Longest accepted <see cref="Prompt"/>: a question, not a document.</summary>
    public const int MaxPromptLength = 2000;

    /// <summary>Most labels a <c>classify</c> task may offer.</summary>
    public const int MaxLabels = 50;
}

public static class CaptionTaskKinds
{
    /// <summary>The alt-text only (what every image gets; the default).</summary>
    public const string Caption = "caption";

    /// <summary>A paragraph describing the picture in detail, besides the alt-text.</summary>
    public const string DetailedCaption = "detailed-caption";

    /// <summary>All text visible in the picture, transcribed.</summary>
    public const string Ocr = "ocr";

    /// <summary>The one of <see cref="CaptionTask.Labels"/> that fits the picture best.</summary>
    public const string Classify = "classify";

    /// <summary>The answer to <see cref="CaptionTask.Prompt"/> about the picture.</summary>
    public const string Question = "question";

    /// <summary>The objects in the picture with their boxes (Florence-2).</summary>
    public const string Objects = "objects";

    /// <summary>Regions of the picture, each described, with their boxes (Florence-2).</summary>
    public const string Regions = "regions";

    /// <summary>The text in the picture with each line's quadrilateral (Florence-2).</summary>
    public const string TextRegions = "text-regions";

    public static readonly IReadOnlyList<string> All = [Caption, DetailedCaption, Ocr, Classify, Question, Objects, Regions, TextRegions];
}
