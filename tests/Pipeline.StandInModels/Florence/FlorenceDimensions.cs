namespace Pipeline.StandInModels.Florence;

/// <summary>
/// Sizes of a stand-in Florence-2: one width for the vision tower, the BART encoder and the BART decoder (the real
/// model projects its DaViT features to the text width; the stand-in's vision tower works at that width directly).
/// </summary>
public sealed record FlorenceDimensions(
    int Hidden,
    int Heads,
    int EncoderLayers,
    int DecoderLayers,
    int FeedForward,
    int VisionLayers,
    int VisionFeedForward)
{
    public const int ImageSize = 768;
    public const int Channels = 3;

    /// <summary>Kernel and stride of the patch Conv: 768 / 32 = 24 patches a side.</summary>
    public const int PatchSize = 32;

    public const int Patches = ImageSize / PatchSize * (ImageSize / PatchSize);

    /// <summary>One learned token + 24×24 patches: the 577 image tokens (<c>num_image_tokens</c>) of the real model.</summary>
    public const int ImageTokens = Patches + 1;

    public const int VocabSize = 51289;

    /// <summary>BART's <c>max_position_embeddings</c>; its position tables have two more rows (positions start at 2).</summary>
    public const int MaxPositions = 1024;

    /// <summary>BartLearnedPositionalEmbedding's offset: position p reads row p + 2.</summary>
    public const int PositionOffset = 2;

    public const int BeginningOfSequenceId = 0;
    public const int PaddingId = 1;
    public const int EndOfSequenceId = 2;
    public const int UnknownId = 3;
    public const int MaskId = 50264;

    /// <summary>The decoder starts from &lt;/s&gt; (config <c>decoder_start_token_id</c> 2), as BART does.</summary>
    public const int DecoderStartId = EndOfSequenceId;

    public const float LayerNormEpsilon = 1e-5f;

    public int HeadDim => Hidden / Heads;

    public static FlorenceDimensions For(FlorenceSize size) => size switch
    {
        FlorenceSize.Tiny => new(Hidden: 64, Heads: 4, EncoderLayers: 2, DecoderLayers: 2, FeedForward: 128, VisionLayers: 1, VisionFeedForward: 128),
        // The real text sizes (Florence-2-base: BART-base width, 6 + 6 layers); 12 ViT layers at width 768 cost about
        // what the real DaViT-base tower does at 768×768.
        FlorenceSize.Full => new(Hidden: 768, Heads: 12, EncoderLayers: 6, DecoderLayers: 6, FeedForward: 3072, VisionLayers: 12, VisionFeedForward: 3072),
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, null),
    };

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Heads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(EncoderLayers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(DecoderLayers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(VisionLayers, 1);
        if (Hidden % Heads != 0)
        {
            throw new ArgumentException($"The width {Hidden} must divide into {Heads} heads.");
        }

        // The decoder keeps DecoderLanes.Count dimensions of its residual stream for the output schedule.
        if (Hidden < 4 * DecoderLanes.Count)
        {
            throw new ArgumentException($"The width must be at least {4 * DecoderLanes.Count}.");
        }
    }
}

public enum FlorenceSize
{
    /// <summary>Width 64, 2 + 2 layers, one vision layer: a few MB besides the 51,289-row embedding table, for tests.</summary>
    Tiny,

    /// <summary>The real text sizes (width 768, 12 heads, 6 + 6 layers, FFN 3072) and a 12-layer vision tower: benchmarks.</summary>
    Full,
}
