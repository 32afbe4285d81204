namespace Pipeline.StandInModels.Captioner;

/// <summary>Which real export the folder imitates: file set, config values and generation_config.json.</summary>
public enum CaptionerLayout
{
    /// <summary>Xenova/vit-gpt2-image-captioning: ViT-B/16 + GPT-2 (12 layers); generation_config.json holds only the ids.</summary>
    VitGpt2,

    /// <summary>Mozilla/distilvit: ViT-B/16 + distilgpt2 (6 layers); generation_config.json with beams and penalties.</summary>
    Distilvit,
}

public enum CaptionerSize
{
    /// <summary>Hidden 32, 2 + 2 layers: a few MB, for tests.</summary>
    Tiny,

    /// <summary>The real model's sizes (ViT-B/16 encoder; GPT-2 or distilgpt2 decoder): hundreds of MB, for benchmarks.</summary>
    Full,
}

public sealed record CaptionerStandInOptions
{
    public CaptionerLayout Layout { get; init; } = CaptionerLayout.VitGpt2;

    public CaptionerSize Size { get; init; } = CaptionerSize.Tiny;

    public int Seed { get; init; } = 1;

    /// <summary>Recorded in stand-in.json and the ONNX metadata; null for the layout's default (stand-in/…).</summary>
    public string? ModelId { get; init; }

    /// <summary>Also write encoder_model_quantized.onnx and decoder_model_merged_quantized.onnx.</summary>
    public bool Quantized { get; init; } = true;

    /// <summary>
    /// A folder laid out like <c>models/vocab</c> holding the real tokenizer and config files
    /// (vit-gpt2-image-captioning/…); null for the repository's copy beside this assembly (<see cref="VocabFiles"/>).
    /// </summary>
    public string? TokenizerFilesFolder { get; init; }

    /// <summary>
    /// Number of caption tokens after which greedy decoding produces EOS (50256), through a large EOS direction in
    /// the position embeddings from that position on, so captions end like real ones; null for never.
    /// Greedy decoding (start token at position 0) yields this many tokens, then EOS.
    /// </summary>
    public int? EosAfterTokens { get; init; } = 14;

    public string EffectiveModelId => ModelId ?? CaptionerStandIn.DefaultModelId(Layout);
}
