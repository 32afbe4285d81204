using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Pipeline.Testing;

/// <summary>
/// The Hugging Face hub as its download clients see it today, on two loopback servers: the hub answers
/// <c>GET|HEAD /{owner}/{name}/resolve/{revision}/{path}</c>, serving small files itself and redirecting large ones
/// (LFS: <c>.onnx</c> and anything over <see cref="LfsThreshold"/>) with 302 to a second host, a CDN with a signed,
/// expiring query string, beside <c>X-Repo-Commit</c>, <c>ETag</c>, <c>X-Linked-Etag</c> (the SHA-256) and
/// <c>X-Linked-Size</c>. A missing file is 404 (<c>X-Error-Code: EntryNotFound</c>), a gated repository 401 without
/// its bearer token; ranges are honoured. Tests can cut a download half-way or make the CDN serve corrupted bytes.
/// </summary>
public sealed class FakeHuggingFaceHub : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Repository> _repositories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StoredFile> _objects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _signatures = new(StringComparer.Ordinal);
    private LocalWebServer? _hub;
    private LocalWebServer? _cdn;
    private int _inFlight;
    private int _maxInFlight;

    /// <summary>Files at least this large go through the CDN, as LFS files do.</summary>
    public long LfsThreshold { get; set; } = 100 * 1024;

    /// <summary>Each CDN response waits this long before its first byte (so parallel downloads overlap visibly).</summary>
    public TimeSpan CdnDelay { get; set; }

    /// <summary>Every request both servers received, in order.</summary>
    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>The most CDN downloads that were running at once.</summary>
    public int MaxConcurrentDownloads => Volatile.Read(ref _maxInFlight);

    public Uri Endpoint => new($"http://127.0.0.1:{Started(_hub).Port}/");

    public Uri CdnBase => new($"http://localhost:{Started(_cdn).Port}/");

    public static async Task<FakeHuggingFaceHub> StartAsync(CancellationToken cancellationToken)
    {
        var fake = new FakeHuggingFaceHub();
        fake._hub = await LocalWebServer.StartAsync(app =>
            app.MapMethods("/{owner}/{name}/resolve/{revision}/{**path}", ["GET", "HEAD"],
                (HttpContext context, string owner, string name, string revision, string path) => fake.ResolveAsync(context, $"{owner}/{name}", revision, path)),
            cancellationToken);
        fake._cdn = await LocalWebServer.StartAsync(app => app.MapMethods("/{**key}", ["GET", "HEAD"], (HttpContext context, string key) => fake.ServeObjectAsync(context, key)), cancellationToken);
        return fake;
    }

    /// <param name="token">The bearer token a gated repository wants; null for a public one.</param>
    public void AddRepository(string repository, string? token = null) =>
        _repositories[repository] = new Repository(token, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)));

    public void Serve(string repository, string path, byte[] bytes)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        _repositories[repository].Files[path] = sha;
        _objects[sha] = new StoredFile(bytes);
    }

    /// <summary>Serves every file of <paramref name="folder"/> under its relative path.</summary>
    public void ServeFolder(string repository, string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            Serve(repository, Path.GetRelativePath(folder, file).Replace('\\', '/'), File.ReadAllBytes(file));
        }
    }

    /// <summary>The next <paramref name="times"/> downloads of the file stop after <paramref name="bytes"/> bytes: the connection drops.</summary>
    public void CutAfter(string repository, string path, long bytes, int times = 1) => Object(repository, path).Cuts.Enqueue((bytes, times));

    /// <summary>The CDN serves the file with one byte changed, while the hub still announces the true SHA-256.</summary>
    public void Corrupt(string repository, string path) => Object(repository, path).Corrupted = true;

    public long Size(string repository, string path) => Object(repository, path).Bytes.LongLength;

    public async ValueTask DisposeAsync()
    {
        foreach (var server in new[] { _hub, _cdn })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static LocalWebServer Started(LocalWebServer? server) => server ?? throw new InvalidOperationException("The fake hub has not started.");

    private StoredFile Object(string repository, string path) => _objects[_repositories[repository].Files[path]];

    private Task ResolveAsync(HttpContext context, string repository, string revision, string path)
    {
        Record("hub", context);
        var response = context.Response;
        if (!_repositories.TryGetValue(repository, out var repo))
        {
            return Error(response, StatusCodes.Status401Unauthorized, "RepoNotFound");
        }

        if (repo.Token is { } token && context.Request.Headers.Authorization.ToString() != $"Bearer {token}")
        {
            return Error(response, StatusCodes.Status401Unauthorized, "GatedRepo");
        }

        if (revision != "main" && revision != repo.Commit)
        {
            return Error(response, StatusCodes.Status404NotFound, "RevisionNotFound");
        }

        if (!repo.Files.TryGetValue(path, out var sha))
        {
            return Error(response, StatusCodes.Status404NotFound, "EntryNotFound");
        }

        var file = _objects[sha];
        response.Headers["X-Repo-Commit"] = repo.Commit;
        response.Headers.ETag = $"\"{GitBlobId(file.Bytes)}\"";
        if (file.Bytes.LongLength >= LfsThreshold || path.EndsWith(".onnx", StringComparison.Ordinal))
        {
            var signature = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            _signatures[signature] = DateTimeOffset.UtcNow.AddMinutes(10);
            response.Headers["X-Linked-Etag"] = $"\"{sha}\"";
            response.Headers["X-Linked-Size"] = file.Bytes.LongLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers.Location = new Uri(CdnBase, $"repos/{sha}?Expires={_signatures[signature].ToUnixTimeSeconds()}&Signature={signature}").ToString();
            response.StatusCode = StatusCodes.Status302Found;
            return Task.CompletedTask;
        }

        return WriteAsync(context, file, file.Bytes);
    }

    private async Task ServeObjectAsync(HttpContext context, string key)
    {
        Record("cdn", context);
        var signature = context.Request.Query["Signature"].ToString();
        if (!_signatures.TryGetValue(signature, out var expires) || expires < DateTimeOffset.UtcNow || !key.StartsWith("repos/", StringComparison.Ordinal)
            || !_objects.TryGetValue(key["repos/".Length..], out var file))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var inFlight = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _maxInFlight, inFlight);
        try
        {
            if (CdnDelay > TimeSpan.Zero)
            {
                await Task.Delay(CdnDelay, context.RequestAborted);
            }

            var bytes = file.Corrupted ? Flipped(file.Bytes) : file.Bytes;
            await WriteAsync(context, file, bytes);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static async Task WriteAsync(HttpContext context, StoredFile file, byte[] bytes)
    {
        var response = context.Response;
        long from = 0;
        if (context.Request.Headers.Range.ToString() is { Length: > 0 } range && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-')
            && long.TryParse(range["bytes=".Length..^1], out var start))
        {
            if (start >= bytes.LongLength)
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = $"bytes */{bytes.LongLength}";
                return;
            }

            from = start;
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {start}-{bytes.LongLength - 1}/{bytes.LongLength}";
        }

        response.Headers.AcceptRanges = "bytes";
        response.ContentType = "application/octet-stream";
        response.ContentLength = bytes.LongLength - from;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        if (file.Cuts.TryPeek(out var cut))
        {
            var (after, times) = cut;
            if (times <= 1)
            {
                file.Cuts.TryDequeue(out _);
            }
            else
            {
                file.Cuts.TryDequeue(out _);
                file.Cuts.Enqueue((after, times - 1));
            }

            var until = Math.Max(from, Math.Min(after, bytes.LongLength));
            await response.Body.WriteAsync(bytes.AsMemory((int)from, (int)(until - from)));
            await response.Body.FlushAsync();
            context.Abort();
            return;
        }

        await response.Body.WriteAsync(bytes.AsMemory((int)from));
    }

    private static Task Error(HttpResponse response, int status, string code)
    {
        response.StatusCode = status;
        response.Headers["X-Error-Code"] = code;
        return Task.CompletedTask;
    }

    private void Record(string server, HttpContext context) => Requests.Enqueue(new SeenRequest(
        server,
        context.Request.Method,
        context.Request.Path + context.Request.QueryString,
        context.Request.Headers.Range.ToString() is { Length: > 0 } range ? range : null,
        context.Request.Headers.Authorization.Count > 0));

    private static byte[] Flipped(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        copy[copy.Length / 2] ^= 0xFF;
        return copy;
    }

    /// <summary>The id git gives the blob (sha1 of "blob {size}\0" + bytes), which the hub sends as a git-kept file's ETag.</summary>
#pragma warning disable CA5350 // git's object id is SHA-1 by definition; nothing is secured by it.
    private static string GitBlobId(byte[] bytes) =>
        Convert.ToHexStringLower(SHA1.HashData([.. System.Text.Encoding.ASCII.GetBytes($"blob {bytes.Length}\0"), .. bytes]));
#pragma warning restore CA5350

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    /// <param name="Server"><c>hub</c> or <c>cdn</c>.</param>
    /// <param name="Range">The Range header, if any.</param>
    /// <param name="HadAuthorization">Whether an Authorization header came with it (never wanted at the CDN).</param>
    public sealed record SeenRequest(string Server, string Method, string PathAndQuery, string? Range, bool HadAuthorization);

    private sealed record Repository(string? Token, string Commit)
    {
        public ConcurrentDictionary<string, string> Files { get; } = new(StringComparer.Ordinal);
    }

    private sealed class StoredFile(byte[] bytes)
    {
        public byte[] Bytes { get; } = bytes;

        public ConcurrentQueue<(long After, int Times)> Cuts { get; } = new();

        public bool Corrupted { get; set; }
    }
}
