using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Florence;

/// <summary>What Florence-2's configured tasks answered for one picture.</summary>
/// <param name="LongDescription">Null when no long-description task is configured.</param>
/// <param name="Objects">Null when no objects task is configured.</param>
public sealed record FlorenceDescription(string AltText, string? LongDescription, IReadOnlyList<LabelledBox>? Objects) : ModelResult
{
    public override void AddTo(IResultSheet sheet, ModelIdentity by)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        sheet.AddCaption(by, AltText);
        if (LongDescription is { } description)
        {
            sheet.AddLongDescription(by, description);
        }

        if (Objects is { } objects)
        {
            sheet.AddObjects(by, objects);
        }
    }
}
