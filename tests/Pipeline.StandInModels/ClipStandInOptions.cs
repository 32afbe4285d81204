namespace Pipeline.StandInModels;

/// <summary>Which real export's file layout and graph I/O a stand-in CLIP folder copies.</summary>
public enum ClipStandInLayout
{
    /// <summary>Xenova/clip-vit-base-patch32: <c>onnx/vision_model.onnx</c> and <c>onnx/text_model.onnx</c>, dynamic batch.</summary>
    Xenova,

    /// <summary>immich-app/ViT-B-32__openai: <c>visual/model.onnx</c> and <c>textual/model.onnx</c>, batch 1, L2-normalised.</summary>
    Immich,
}

/// <summary>How big the random-weight towers are.</summary>
public enum ClipStandInSize
{
    /// <summary>Width 32, 2 layers, 2 heads in both towers: fast enough for unit tests.</summary>
    Tiny,

    /// <summary>The real ViT-B/32 sizes (vision 768 × 12 layers, text 512 × 12 layers), for benchmarks.</summary>
    Full,
}

public sealed record ClipStandInOptions
{
    public const string XenovaModelId = "stand-in/clip-vit-base-patch32";
    public const string ImmichModelId = "stand-in/immich-ViT-B-32__openai";

    public ClipStandInLayout Layout { get; init; } = ClipStandInLayout.Xenova;

    public ClipStandInSize Size { get; init; } = ClipStandInSize.Tiny;

    /// <summary>Seed of the weights. Equal seeds and sizes give equal weights in both layouts.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Model id recorded in stand-in.json and the ONNX metadata; null for the layout's default.</summary>
    public string? ModelId { get; init; }

    /// <summary>
    /// Folder with the real CLIP <c>vocab.json</c> and <c>merges.txt</c>, or a folder laid out like <c>models/vocab</c>
    /// holding them under <c>clip-vit-base-patch32/</c>. Null: the repository's copy (<see cref="VocabFiles"/>).
    /// </summary>
    public string? TokenizerFilesFolder { get; init; }

    public string EffectiveModelId => ModelId ?? (Layout == ClipStandInLayout.Immich ? ImmichModelId : XenovaModelId);

    public ClipModelSize Dimensions => ClipModelSize.For(Size);
}

/// <summary>Width, depth and heads of one transformer tower; the MLP is 4 × width, as in every CLIP.</summary>
public sealed record ClipTowerSize(int Width, int Layers, int Heads)
{
    public int MlpWidth => 4 * Width;

    public int HeadDim => Width / Heads;
}

public sealed record ClipModelSize(ClipTowerSize Vision, ClipTowerSize Text)
{
    public static ClipModelSize Tiny { get; } = new(new ClipTowerSize(32, 2, 2), new ClipTowerSize(32, 2, 2));

    /// <summary>openai/clip-vit-base-patch32.</summary>
    public static ClipModelSize Full { get; } = new(new ClipTowerSize(768, 12, 12), new ClipTowerSize(512, 12, 8));

    public static ClipModelSize For(ClipStandInSize size) => size switch
    {
        ClipStandInSize.Tiny => Tiny,
        ClipStandInSize.Full => Full,
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown stand-in size."),
    };
}
