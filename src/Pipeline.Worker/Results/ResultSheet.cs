using Pipeline.Contracts;
using Pipeline.Inference.Contract;

namespace Pipeline.Worker.Results;

/// <summary>What the models wrote for one image, collected before it becomes a row (or, once one rejects it, none).</summary>
internal sealed class ResultSheet : IResultSheet
{
    public (ModelIdentity By, float[] Vector)? Embedding { get; private set; }

    public (ModelIdentity By, string Text, string? Answer, TokenUsage? Usage)? Caption { get; private set; }

    public (ModelIdentity By, IReadOnlyList<TextLine> Lines, int UnreadRegions)? Text { get; private set; }

    public (ModelIdentity By, string Text)? LongDescription { get; private set; }

    public (ModelIdentity By, IReadOnlyList<LabelledBox> Boxes)? Objects { get; private set; }

    public ImageRejectedException? Rejection { get; private set; }

    /// <summary>Whether any model that wrote here is a generated stand-in.</summary>
    public bool ByStandIn { get; private set; }

    public void AddEmbedding(ModelIdentity by, float[] vector)
    {
        ArgumentNullException.ThrowIfNull(by);
        Embedding = (by, vector);
        ByStandIn |= by.IsStandIn;
    }

    public void AddCaption(ModelIdentity by, string caption, string? answer = null, TokenUsage? usage = null)
    {
        ArgumentNullException.ThrowIfNull(by);
        Caption = (by, caption, answer, usage);
        ByStandIn |= by.IsStandIn;
    }

    public void AddText(ModelIdentity by, IReadOnlyList<TextLine> lines, int unreadRegions = 0)
    {
        ArgumentNullException.ThrowIfNull(by);
        Text = (by, lines, unreadRegions);
        ByStandIn |= by.IsStandIn;
    }

    public void AddLongDescription(ModelIdentity by, string description)
    {
        ArgumentNullException.ThrowIfNull(by);
        LongDescription = (by, description);
        ByStandIn |= by.IsStandIn;
    }

    public void AddObjects(ModelIdentity by, IReadOnlyList<LabelledBox> objects)
    {
        ArgumentNullException.ThrowIfNull(by);
        Objects = (by, objects);
        ByStandIn |= by.IsStandIn;
    }

    public void Reject(ImageRejectedException rejection) => Rejection ??= rejection;
}
