using System.Text.Json;

namespace Pipeline.Inference.Generation;

/// <summary>
/// Decoding settings merged as transformers.js does: config.json's top level, overridden by its <c>decoder</c>,
/// <c>generator</c> and <c>text_config</c> sections, then generation_config.json, then the worker's own options.
/// Sampling settings (<c>do_sample</c>, temperature, top-k/p) are ignored: alt-text must be deterministic.
/// </summary>
public sealed record GenerationSettings
{
    public int DecoderStartTokenId { get; init; }

    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    public int PadTokenId { get; init; }

    /// <summary>Longest sequence, the start token included.</summary>
    public int MaxLength { get; init; } = 20;

    public int MinLength { get; init; }

    public int NumBeams { get; init; } = 1;

    public float LengthPenalty { get; init; } = 1f;

    public bool EarlyStopping { get; init; }

    public float RepetitionPenalty { get; init; } = 1f;

    public int NoRepeatNgramSize { get; init; }

    public IReadOnlyList<IReadOnlyList<int>> BadWordsIds { get; init; } = [];

    /// <summary>True when the model's own config asks for sampling, which this worker replaces by greedy/beam search.</summary>
    public bool ConfigAskedForSampling { get; init; }

    /// <summary>The token the first generated position is forced to (<c>forced_bos_token_id</c>), if any.</summary>
    public int? ForcedBosTokenId { get; init; }

    /// <summary>The token forced where the sequence reaches its maximum length minus one (<c>forced_eos_token_id</c>), if any.</summary>
    public int? ForcedEosTokenId { get; init; }

    /// <param name="numBeams">Overrides the configs' <c>num_beams</c>.</param>
    /// <param name="maxLength">Overrides the configs' length, start token included.</param>
    public static GenerationSettings Load(string modelFolder, int? numBeams = null, int? maxLength = null)
    {
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var configPath = Path.Combine(modelFolder, "config.json");
        if (File.Exists(configPath))
        {
            using var config = JsonDocument.Parse(File.ReadAllText(configPath));
            Merge(values, config.RootElement);
            foreach (var section in new[] { "decoder", "generator", "text_config" })
            {
                if (config.RootElement.TryGetProperty(section, out var nested) && nested.ValueKind == JsonValueKind.Object)
                {
                    Merge(values, nested);
                }
            }
        }

        var generationPath = Path.Combine(modelFolder, "generation_config.json");
        if (File.Exists(generationPath))
        {
            using var generation = JsonDocument.Parse(File.ReadAllText(generationPath));
            Merge(values, generation.RootElement);
        }

        var eos = Ids(values, "eos_token_id");
        var bos = Int(values, "bos_token_id", eos.Count > 0 ? eos[0] : 0);
        var configuredLength = values.TryGetValue("max_new_tokens", out var newTokens) && newTokens.ValueKind == JsonValueKind.Number
            ? 1 + newTokens.GetInt32()
            : Int(values, "max_length", 20);

        return new GenerationSettings
        {
            DecoderStartTokenId = Int(values, "decoder_start_token_id", bos),
            EosTokenIds = eos,
            PadTokenId = Int(values, "pad_token_id", eos.Count > 0 ? eos[0] : 0),
            MaxLength = maxLength ?? configuredLength,
            MinLength = Int(values, "min_length", 0),
            NumBeams = numBeams ?? Int(values, "num_beams", 1),
            LengthPenalty = Float(values, "length_penalty", 1f),
            EarlyStopping = values.TryGetValue("early_stopping", out var early) && early.ValueKind == JsonValueKind.True,
            RepetitionPenalty = Float(values, "repetition_penalty", 1f),
            NoRepeatNgramSize = Int(values, "no_repeat_ngram_size", 0),
            BadWordsIds = values.TryGetValue("bad_words_ids", out var bad) && bad.ValueKind == JsonValueKind.Array
                ? bad.EnumerateArray().Select(words => (IReadOnlyList<int>)words.EnumerateArray().Select(w => w.GetInt32()).ToList()).ToList()
                : [],
            ForcedBosTokenId = values.ContainsKey("forced_bos_token_id") ? Int(values, "forced_bos_token_id", 0) : null,
            ForcedEosTokenId = values.ContainsKey("forced_eos_token_id") ? Int(values, "forced_eos_token_id", 0) : null,
            ConfigAskedForSampling = values.TryGetValue("do_sample", out var sample) && sample.ValueKind == JsonValueKind.True,
        };
    }

    public bool IsEos(long token)
    {
        foreach (var eos in EosTokenIds)
        {
            if (eos == token)
            {
                return true;
            }
        }

        return false;
    }

    private static void Merge(Dictionary<string, JsonElement> values, JsonElement source)
    {
        foreach (var property in source.EnumerateObject())
        {
            // JSON null means "unset" in Hugging Face configs: it never overrides a value from an earlier file.
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            values[property.Name] = property.Value.Clone();
        }
    }

    private static int Int(Dictionary<string, JsonElement> values, string name, int fallback) =>
        values.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : fallback;

    private static float Float(Dictionary<string, JsonElement> values, string name, float fallback) =>
        values.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetSingle() : fallback;

    private static List<int> Ids(Dictionary<string, JsonElement> values, string name) =>
        !values.TryGetValue(name, out var value) ? []
        : value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetInt32()).ToList()
        : value.ValueKind == JsonValueKind.Number ? [value.GetInt32()]
        : [];
}
