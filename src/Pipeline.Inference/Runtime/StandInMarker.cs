using System.Text.Json;

namespace Pipeline.Inference.Runtime;

/// <summary>
/// What marks a model folder as a generated stand-in with random weights: the <c>stand-in.json</c> the project's
/// generator writes beside it, or, where only the files of the real layout were copied (a model hub mirror serving
/// stand-ins, <c>pipeline models fetch</c>), the <c>"_stand_in": true</c> the generator puts into <c>config.json</c>.
/// Either marks every result of that model as produced by a stand-in, so it can never pass for a real one.
/// </summary>
/// <param name="Queries">For a text tower: the image towers whose vectors it queries (stand-in.json <c>queries</c>).</param>
public sealed record StandInMarker(string ModelId, IReadOnlyList<string>? Queries = null)
{
    public const string FileName = "stand-in.json";

    public const string ConfigFileName = "config.json";

    public static StandInMarker? TryRead(string modelFolder)
    {
        var marker = Path.Combine(modelFolder, FileName);
        if (File.Exists(marker))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(marker));
            var root = document.RootElement;
            var queries = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("queries", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(q => q.GetString()).OfType<string>().ToList()
                : null;
            return new StandInMarker(IdOrFolder(root, "modelId", modelFolder), queries);
        }

        var config = Path.Combine(modelFolder, ConfigFileName);
        if (File.Exists(config))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(config));
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("_stand_in", out var flag) && flag.ValueKind == JsonValueKind.True)
            {
                return new StandInMarker(IdOrFolder(document.RootElement, "_name_or_path", modelFolder));
            }
        }

        return null;
    }

    private static string IdOrFolder(JsonElement root, string property, string modelFolder)
    {
        var id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
        return string.IsNullOrWhiteSpace(id) ? "stand-in/" + Path.GetFileName(Path.TrimEndingDirectorySeparator(modelFolder)) : id;
    }
}
