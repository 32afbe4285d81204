using Pipeline.Contracts;

namespace Pipeline.Inference.Contract;

/// <summary>
/// An image's result as the models fill it in: what becomes its stored row and its result event. Each method names a
/// field of the result, never a model; <paramref name="by"/> is recorded beside what it wrote.
/// </summary>
public interface IResultSheet
{
    void AddEmbedding(ModelIdentity by, float[] vector);

    /// <param name="answer">The answer to the message's task, where it asked more than a caption.</param>
    /// <param name="usage">Tokens a provider billed for this image, where a provider answered.</param>
    void AddCaption(ModelIdentity by, string caption, string? answer = null, TokenUsage? usage = null);

    /// <param name="unreadRegions">Regions where text was found but could not be read: counted, so that nothing is dropped silently.</param>
    void AddText(ModelIdentity by, IReadOnlyList<TextLine> lines, int unreadRegions = 0);

    /// <summary>A description longer than the alt-text: a paragraph for people who want more than one sentence.</summary>
    void AddLongDescription(ModelIdentity by, string description);

    /// <summary>The objects found in the picture, each with its box.</summary>
    void AddObjects(ModelIdentity by, IReadOnlyList<LabelledBox> objects);

    /// <summary>The model could not describe this image, for a reason of the image's own: it fails alone.</summary>
    void Reject(ImageRejectedException rejection);
}

/// <summary>Tokens a provider billed, or one image's share of a request's.</summary>
public sealed record TokenUsage(int InputTokens, int OutputTokens);
