using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Cli.Models;

/// <summary><c>models/manifest.json</c>: the real model sets, where they come from and the hashes pinned for them.</summary>
internal sealed record ModelManifest([property: JsonPropertyName("models")] IReadOnlyList<ManifestModel> Models)
{
    public static ModelManifest Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No model manifest at {path} (run from the repository root or pass --manifest).");
        }

        return JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path} is empty.");
    }

    public IReadOnlyList<ManifestModel> Select(IReadOnlyList<string> ids)
    {
        if (ids.Count == 0)
        {
            return Models;
        }

        var unknown = ids.Where(id => Models.All(m => m.Id != id)).ToList();
        return unknown.Count == 0
            ? Models.Where(m => ids.Contains(m.Id)).ToList()
            : throw new ArgumentException($"Unknown model id(s): {string.Join(", ", unknown)}; the manifest has {string.Join(", ", Models.Select(m => m.Id))}.");
    }
}

internal sealed record ManifestModel(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("layout")] string Layout,
    [property: JsonPropertyName("source")] ManifestSource Source,
    [property: JsonPropertyName("files")] IReadOnlyList<ManifestFile> Files);

internal sealed record ManifestSource(
    [property: JsonPropertyName("huggingface")] string Repository,
    [property: JsonPropertyName("revision")] string Revision);

internal sealed record ManifestFile(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("sha256")] string? Sha256 = null,
    [property: JsonPropertyName("optional")] bool Optional = false);
