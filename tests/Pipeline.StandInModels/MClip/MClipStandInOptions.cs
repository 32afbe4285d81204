namespace Pipeline.StandInModels.MClip;

/// <summary>Sizes of the stand-in's XLM-R (the real one: hidden 1024, 24 layers, 16 heads, intermediate 4096).</summary>
public sealed record MClipTextSize(int Hidden, int Layers, int Heads, int Intermediate)
{
    public static MClipTextSize Tiny { get; } = new(32, 2, 2, 64);

    /// <summary>XLM-RoBERTa-large's encoder (about 300M parameters, 1.2 GB of float32 in external-data files).</summary>
    public static MClipTextSize Full { get; } = new(1024, 24, 16, 4096);
}

public sealed record MClipStandInOptions
{
    public const string DefaultModelId = "stand-in/XLM-Roberta-Large-Vit-B-32";

    public int Seed { get; init; } = 1;

    /// <summary>Recorded in stand-in.json and the ONNX metadata; null for <see cref="DefaultModelId"/>.</summary>
    public string? ModelId { get; init; }

    /// <summary>
    /// The image towers whose vectors this text tower can query, recorded in stand-in.json as the manifest records
    /// them for the real model; by default the CLIP stand-ins' ids.
    /// </summary>
    public IReadOnlyList<string> Queries { get; init; } = [ClipStandInOptions.XenovaModelId, ClipStandInOptions.ImmichModelId];

    public MClipTextSize Dimensions { get; init; } = MClipTextSize.Tiny;

    public string EffectiveModelId => ModelId ?? DefaultModelId;
}
