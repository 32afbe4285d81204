namespace Pipeline.StandInModels.Florence;

public sealed record FlorenceStandInOptions
{
    public const string DefaultModelId = "stand-in/Florence-2-base-ft";

    /// <summary>
    /// Default of <see cref="EosAfterTokens"/>: the forced &lt;s&gt; and then one period of the output schedule (30 tokens,
    /// see <see cref="OutputSchedule"/>), so a greedy answer is 33 ids long with its start token and EOS.
    /// </summary>
    public const int DefaultEosAfterTokens = 1 + OutputSchedule.Period;

    public FlorenceSize Size { get; init; } = FlorenceSize.Tiny;

    public int Seed { get; init; } = 1;

    /// <summary>Recorded in stand-in.json and the ONNX metadata; null for <see cref="DefaultModelId"/>.</summary>
    public string? ModelId { get; init; }

    /// <summary>Also write the four <c>*_quantized.onnx</c> files.</summary>
    public bool Quantized { get; init; }

    /// <summary>
    /// Number of generated tokens (the forced &lt;s&gt; included) after which greedy decoding produces EOS; null for
    /// never (the schedule repeats until max_length).
    /// </summary>
    public int? EosAfterTokens { get; init; } = DefaultEosAfterTokens;

    /// <summary>
    /// A folder laid out like <c>models/vocab</c> holding <c>bart/</c> and <c>florence-2-base-ft/</c>; null for the
    /// repository's copy beside this assembly (<see cref="VocabFiles"/>).
    /// </summary>
    public string? TokenizerFilesFolder { get; init; }

    public string EffectiveModelId => ModelId ?? DefaultModelId;
}
