namespace Pipeline.StandInModels.Captioner;

/// <summary>Sizes of the ViT encoder and GPT-2 decoder of a stand-in captioner.</summary>
public sealed record CaptionerDimensions(
    int EncoderHidden,
    int EncoderLayers,
    int EncoderHeads,
    int EncoderIntermediate,
    int DecoderHidden,
    int DecoderLayers,
    int DecoderHeads,
    int DecoderInner)
{
    public const int ImageSize = 224;
    public const int PatchSize = 16;
    public const int Channels = 3;
    public const int Patches = ImageSize / PatchSize * (ImageSize / PatchSize);

    /// <summary>CLS + 14×14 patches.</summary>
    public const int EncoderTokens = Patches + 1;

    public const int VocabSize = 50257;
    public const int Positions = 1024;
    public const int EndOfText = 50256;
    public const float EncoderLayerNormEpsilon = 1e-12f;
    public const float DecoderLayerNormEpsilon = 1e-5f;

    public int DecoderHeadDim => DecoderHidden / DecoderHeads;

    public int EncoderHeadDim => EncoderHidden / EncoderHeads;

    public static CaptionerDimensions For(CaptionerLayout layout, CaptionerSize size) => size switch
    {
        CaptionerSize.Tiny => new(32, 2, 2, 64, 32, 2, 2, 128),
        // The real sizes: ViT-B/16 and GPT-2 (vit-gpt2, 12 layers) or distilgpt2 (distilvit, 6 layers).
        CaptionerSize.Full => new(768, 12, 12, 3072, 768, layout == CaptionerLayout.VitGpt2 ? 12 : 6, 12, 3072),
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, null),
    };

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(EncoderHidden, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(DecoderHidden, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(EncoderLayers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(DecoderLayers, 1);
        if (EncoderHidden % EncoderHeads != 0 || DecoderHidden % DecoderHeads != 0)
        {
            throw new ArgumentException("Hidden sizes must divide into the heads.");
        }

        // GPT-2's cross-attention projects encoder states with an [n_embd, 2·n_embd] matrix: the widths must match
        // (VisionEncoderDecoderModel would add enc_to_dec_proj otherwise, which the real models do not have).
        if (EncoderHidden != DecoderHidden)
        {
            throw new ArgumentException("The encoder and decoder widths must be equal, as in the real models.");
        }
    }
}
