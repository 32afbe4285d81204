using Pipeline.Contracts;

namespace Pipeline.Inference.Contract;

/// <summary>
/// The part of an image's result a model fills. A worker runs at most one model per role, in this order within a
/// pass; the role names the stage its time is recorded under and what an image lacks when no model fills it.
/// </summary>
public sealed record ModelRole(string Name, string Stage, string WithoutIt)
{
    public static ModelRole ImageEmbedder { get; } = new(
        "image embedder", StageNames.Embed, "images get no vector and cannot be found by search (Models:ImageEmbedder:Path)");

    public static ModelRole Captioner { get; } = new(
        "captioner", StageNames.Caption, "alt-text has no caption (Models:Captioner:Path, or Captioning:Backend OpenAI)");

    public static ModelRole TextReader { get; } = new(
        "text reader", StageNames.ReadText, "text in pictures is not read (Ocr:Enabled, Ocr:Path)");

    /// <summary>Every role, in the order a pass runs them.</summary>
    public static IReadOnlyList<ModelRole> All { get; } = [ImageEmbedder, Captioner, TextReader];

    public override string ToString() => Name;
}
