using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Ocr;

/// <summary>The text lines found in one image, in reading order.</summary>
/// <param name="UnreadRegions">Text regions the detector found whose reading was empty or below the minimum confidence:
/// text the recogniser could not read in its alphabet (Hangul under the Chinese and English dictionary, for one).</param>
public sealed record OcrResult(IReadOnlyList<TextLine> Lines, int UnreadRegions = 0) : ModelResult
{
    public override void AddTo(IResultSheet sheet, ModelIdentity by)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        sheet.AddText(by, Lines, UnreadRegions);
    }

    public static OcrResult Empty { get; } = new([]);
}
