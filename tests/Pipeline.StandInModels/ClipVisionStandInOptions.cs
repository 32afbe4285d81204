namespace Pipeline.StandInModels;

public sealed record ClipVisionStandInOptions
{
    /// <summary>Width of the patch tokens: small for tests, 768 for the real ViT-B/32 size (benchmarks).</summary>
    public int Hidden { get; init; } = 64;

    public int Seed { get; init; } = 1;

    public string ModelId { get; init; } = "stand-in/clip-vit-base-patch32";
}
