using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Inference.Runtime;

/// <summary>
/// <c>model.lock.json</c>, written by <c>pipeline models fetch</c> into each model folder: where the files came from
/// and their SHA-256. The worker checks it at start-up and refuses a folder whose files are missing or changed.
/// </summary>
/// <param name="Queries">For a text tower: the image towers whose vectors it can query, as the manifest pairs them.</param>
public sealed record ModelLock(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("files")] IReadOnlyList<LockedFile> Files,
    [property: JsonPropertyName("queries"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Queries = null)
{
    public const string FileName = "model.lock.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static ModelLock? TryRead(string folder)
    {
        var path = Path.Combine(folder, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<ModelLock>(File.ReadAllText(path), Json) : null;
    }

    public void Write(string folder) => File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));

    /// <summary>Throws <see cref="ModelNotFoundException"/> naming the first missing or changed file and the fix.</summary>
    public async Task VerifyAsync(string folder, CancellationToken cancellationToken)
    {
        foreach (var file in Files)
        {
            var path = Path.Combine(folder, file.Path);
            if (!File.Exists(path))
            {
                throw new ModelNotFoundException($"Model '{Id}' is missing {path}; run: pipeline models fetch {Id}");
            }

            var actual = await Sha256Async(path, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelNotFoundException(
                    $"Model '{Id}': {path} has SHA-256 {actual}, expected {file.Sha256} (corrupt or replaced); run: pipeline models fetch {Id}");
            }
        }
    }

    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
    }
}

public sealed record LockedFile(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("size")] long Size);
