using System.Net;
using Pipeline.Inference.Runtime;

namespace Pipeline.Cli.Models;

/// <summary>
/// Downloads a manifest model set file by file (to a temporary name, renamed once whole and verified), checks every
/// pinned SHA-256, and writes the folder's <see cref="ModelLock"/>.
/// </summary>
internal sealed class ModelDownloader(HttpClient http, Uri endpoint, Action<string> report)
{
    public async Task<ModelLock> FetchAsync(ManifestModel model, string folder, CancellationToken cancellationToken)
    {
        var locked = new List<LockedFile>();
        foreach (var file in model.Files)
        {
            var target = Path.Combine(folder, file.Path);
            if (!File.Exists(target) || (file.Sha256 is { } pinned && !await MatchesAsync(target, pinned, cancellationToken).ConfigureAwait(false)))
            {
                if (!await DownloadAsync(model, file, target, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }
            }

            var sha = await ModelLock.Sha256Async(target, cancellationToken).ConfigureAwait(false);
            if (file.Sha256 is { } expected && !string.Equals(sha, expected, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(target);
                throw new InvalidDataException($"{model.Id}/{file.Path}: SHA-256 {sha} does not match the manifest's {expected}; the file was deleted.");
            }

            locked.Add(new LockedFile(file.Path, sha, new FileInfo(target).Length));
            report($"{model.Id}/{file.Path}  {sha[..12]}  {(file.Sha256 is null ? "locked on first fetch" : "matches manifest")}");
        }

        var modelLock = new ModelLock(model.Id, $"huggingface:{model.Source.Repository}@{model.Source.Revision}", locked);
        modelLock.Write(folder);
        return modelLock;
    }

    private async Task<bool> DownloadAsync(ManifestModel model, ManifestFile file, string target, CancellationToken cancellationToken)
    {
        var url = new Uri(endpoint, $"{model.Source.Repository}/resolve/{model.Source.Revision}/{file.Path}");
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound && file.Optional)
        {
            report($"{model.Id}/{file.Path}  not in this revision (optional)");
            return false;
        }

        response.EnsureSuccessStatusCode();
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial";
        var output = File.Create(partial);
        await using (output.ConfigureAwait(false))
        {
            await response.Content.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        }

        File.Move(partial, target, overwrite: true);
        return true;
    }

    private static async Task<bool> MatchesAsync(string path, string sha256, CancellationToken cancellationToken) =>
        string.Equals(await ModelLock.Sha256Async(path, cancellationToken).ConfigureAwait(false), sha256, StringComparison.OrdinalIgnoreCase);
}
