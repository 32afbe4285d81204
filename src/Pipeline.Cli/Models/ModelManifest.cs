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
            throw new FileNotFoundException($"No model manifest at {path}: run the tool inside a checkout of the repository or pass --manifest.");
        }

        var manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path} is empty.");
        foreach (var model in manifest.Models)
        {
            model.Validate(path);
        }

        return manifest;
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

/// <param name="Queries">For a text tower: the ids of the image towers whose vectors it can query (written to its lock).</param>
internal sealed record ManifestModel(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("layout")] string Layout,
    [property: JsonPropertyName("source")] ManifestSource Source,
    [property: JsonPropertyName("files")] IReadOnlyList<ManifestFile> Files,
    [property: JsonPropertyName("queries")] IReadOnlyList<string>? Queries = null)
{
    public void Validate(string manifestPath)
    {
        var hf = Source.Repository is not null || Source.Revision is not null;
        var npm = Source.NpmPackage is not null || Source.Version is not null;
        if (hf == npm || (hf && (Source.Repository is null || Source.Revision is null)) || (npm && (Source.NpmPackage is null || Source.Version is null)))
        {
            throw new InvalidDataException(
                $"{manifestPath}: model '{Id}' needs a source with either \"huggingface\" + \"revision\" or \"npm\" + \"version\".");
        }
    }
}

/// <summary>Either a Hugging Face repository at a revision, or an npm package at a version (fetched with <c>npm pack</c>).</summary>
internal sealed record ManifestSource(
    [property: JsonPropertyName("huggingface")] string? Repository = null,
    [property: JsonPropertyName("revision")] string? Revision = null,
    [property: JsonPropertyName("npm")] string? NpmPackage = null,
    [property: JsonPropertyName("version")] string? Version = null)
{
    [JsonIgnore]
    public bool IsNpm => NpmPackage is not null;

    /// <summary><c>huggingface:owner/name@revision</c> or <c>npm:package@version</c>, as written to model.lock.json.</summary>
    public override string ToString() => IsNpm ? $"npm:{NpmPackage}@{Version}" : $"huggingface:{Repository}@{Revision}";
}

/// <param name="Path">Where the file goes in the model folder (and, for Hugging Face, its path in the repository).</param>
/// <param name="ArchivePath">For npm sources: the entry in the package tarball (default <c>package/</c> + <paramref name="Path"/>).</param>
/// <param name="ExternalData">
/// An ONNX graph whose weights are in files beside it: after it, the fetch downloads every file its initializers name
/// (<see cref="Pipeline.Inference.Runtime.OnnxExternalData"/>) and locks them with the rest.
/// </param>
internal sealed record ManifestFile(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("sha256")] string? Sha256 = null,
    [property: JsonPropertyName("optional")] bool Optional = false,
    [property: JsonPropertyName("archivePath")] string? ArchivePath = null,
    [property: JsonPropertyName("externalData")] bool ExternalData = false)
{
    [JsonIgnore]
    public string EntryInPackage => ArchivePath ?? "package/" + Path;
}
