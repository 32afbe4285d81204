using System.Text.Json.Nodes;

namespace Pipeline.StandInModels;

/// <summary>
/// The stand-in.json written next to every stand-in model. The worker reads it to flag results as produced by a
/// random-weight model, which must never pass for a real one.
/// </summary>
public sealed record StandInMarker(string ModelId, string Layout, int Hidden, int Seed)
{
    public const string FileName = "stand-in.json";

    public const string GeneratorName = "Pipeline.StandInModels";

    // Fixed rather than the assembly version, which carries the commit id: a file must depend only on its options.
    public const string GeneratorVersion = "1";

    public JsonObject ToJson() => new()
    {
        ["standIn"] = true,
        ["modelId"] = ModelId,
        ["layout"] = Layout,
        ["generator"] = GeneratorName,
        ["hidden"] = Hidden,
        ["seed"] = Seed,
    };

    /// <summary>Key/value pairs for ModelProto.metadata_props, so the .onnx file alone also says what it is.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToModelMetadata() =>
    [
        new("stand_in", "true"),
        new("stand_in.model_id", ModelId),
        new("stand_in.layout", Layout),
        new("stand_in.generator", GeneratorName),
        new("stand_in.hidden", Hidden.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("stand_in.seed", Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}
