namespace Pipeline.Inference.Florence;

/// <summary>What a Florence-2 task's generated text holds, and so how it is read back.</summary>
public enum FlorenceOutputKind
{
    /// <summary>Plain text: a caption, a description, the text in the picture.</summary>
    Text,

    /// <summary>Labels, each followed by a box (<c>label&lt;loc_x1&gt;&lt;loc_y1&gt;&lt;loc_x2&gt;&lt;loc_y2&gt;</c>).</summary>
    LabelledBoxes,

    /// <summary>Lines of text, each followed by the four corners of its quadrilateral.</summary>
    TextQuads,
}

/// <summary>
/// A Florence-2 task: the token a caller names it by, the sentence the model was trained to answer for it
/// (<c>construct_prompts</c> of Microsoft's processor and transformers.js), and the kind of its output.
/// </summary>
public sealed record FlorenceTask(string Token, string Prompt, FlorenceOutputKind Output)
{
    public static readonly FlorenceTask Caption = new("<CAPTION>", "What does the image describe?", FlorenceOutputKind.Text);
    public static readonly FlorenceTask DetailedCaption = new("<DETAILED_CAPTION>", "Describe in detail what is shown in the image.", FlorenceOutputKind.Text);
    public static readonly FlorenceTask MoreDetailedCaption = new("<MORE_DETAILED_CAPTION>", "Describe with a paragraph what is shown in the image.", FlorenceOutputKind.Text);
    public static readonly FlorenceTask Objects = new("<OD>", "Locate the objects with category name in the image.", FlorenceOutputKind.LabelledBoxes);
    public static readonly FlorenceTask DenseRegionCaption = new("<DENSE_REGION_CAPTION>", "Locate the objects in the image, with their descriptions.", FlorenceOutputKind.LabelledBoxes);
    public static readonly FlorenceTask Ocr = new("<OCR>", "What is the text in the image?", FlorenceOutputKind.Text);
    public static readonly FlorenceTask OcrWithRegion = new("<OCR_WITH_REGION>", "What is the text in the image, with regions?", FlorenceOutputKind.TextQuads);

    public static IReadOnlyList<FlorenceTask> All { get; } = [Caption, DetailedCaption, MoreDetailedCaption, Objects, DenseRegionCaption, Ocr, OcrWithRegion];

    /// <summary>The task a message's <c>task.kind</c> asks for (<c>CaptionTaskKinds</c>), for the kinds Florence-2 answers.</summary>
    public static IReadOnlyDictionary<string, FlorenceTask> ForMessageTask { get; } = new Dictionary<string, FlorenceTask>(StringComparer.Ordinal)
    {
        ["detailed-caption"] = MoreDetailedCaption,
        ["ocr"] = Ocr,
        ["objects"] = Objects,
        ["regions"] = DenseRegionCaption,
        ["text-regions"] = OcrWithRegion,
    };

    /// <summary>The task named by <paramref name="token"/> (<c>&lt;OD&gt;</c>, …), or null.</summary>
    public static FlorenceTask? Find(string token) => All.FirstOrDefault(t => string.Equals(t.Token, token, StringComparison.Ordinal));
}
