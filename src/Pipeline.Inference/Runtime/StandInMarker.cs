using System.Text.Json;

namespace Pipeline.Inference.Runtime;

/// <summary>
/// The <c>stand-in.json</c> file that the project's model generator writes beside a random-weight model.
/// Its presence marks every result of that model as produced by a stand-in, so it can never pass for a real one.
/// </summary>
public sealed record StandInMarker(string ModelId)
{
    public const string FileName = "stand-in.json";

    public static StandInMarker? TryRead(string modelFolder)
    {
        var path = Path.Combine(modelFolder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var id = document.RootElement.TryGetProperty("modelId", out var value) ? value.GetString() : null;
        return new StandInMarker(string.IsNullOrWhiteSpace(id) ? "stand-in/" + Path.GetFileName(modelFolder) : id);
    }
}
