using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Florence;

/// <summary>What Florence-2's tasks answered for one picture.</summary>
/// <param name="LongDescription">Null when no long-description task is configured.</param>
/// <param name="Objects">Null when neither an objects task is configured nor the message asked for objects or regions.</param>
/// <param name="Answer">The answer to the message's task (<c>task.kind</c>), when it asked one.</param>
/// <param name="TextLines">The lines read with their quadrilaterals, when the message asked for <c>text-regions</c>.</param>
public sealed record FlorenceDescription(
    string AltText,
    string? LongDescription,
    IReadOnlyList<LabelledBox>? Objects,
    string? Answer = null,
    IReadOnlyList<TextLine>? TextLines = null) : ModelResult
{
    public override void AddTo(IResultSheet sheet, ModelIdentity by)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        sheet.AddCaption(by, AltText, Answer);
        if (LongDescription is { } description)
        {
            sheet.AddLongDescription(by, description);
        }

        if (Objects is { } objects)
        {
            sheet.AddObjects(by, objects);
        }

        if (TextLines is { } lines)
        {
            sheet.AddText(by, lines);
        }
    }
}
