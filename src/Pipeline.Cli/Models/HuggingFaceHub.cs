using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Pipeline.Cli.Models;

/// <summary>What the hub said of one file before its download: where its bytes are, how many, and their hash.</summary>
/// <param name="Location">The file's bytes: a CDN address (LFS files) or the resolve address itself (small files).</param>
/// <param name="Sha256">The LFS object's SHA-256 (<c>X-Linked-Etag</c>); null for files kept in git.</param>
/// <param name="Commit">The revision's commit (<c>X-Repo-Commit</c>).</param>
internal sealed record HubFile(Uri Location, long? Size, string? Sha256, string? Commit);

/// <summary>The repository is gated or private and the request carried no token, or one the hub refused.</summary>
internal sealed class HubAccessException(string message) : Exception(message);

/// <summary>
/// The Hugging Face hub's file protocol as its own clients use it: <c>HEAD {endpoint}/{repo}/resolve/{revision}/{path}</c>
/// answers 200 for files kept in git, or a redirect to a CDN (a signed address) with the LFS object's
/// <c>X-Linked-Size</c> and <c>X-Linked-Etag</c> (its SHA-256), and 401 for gated repositories without a token. The token
/// (<c>HF_TOKEN</c>) goes to the hub only, never to the CDN a redirect names. Downloads resume with a range request.
/// </summary>
/// <param name="http">A client that does not follow redirects: the hub's answer to a HEAD carries what is needed.</param>
internal sealed partial class HuggingFaceHub(HttpClient http, Uri endpoint, string? token)
{
    private const int MaxHubRedirects = 5;

    public Uri Endpoint { get; } = endpoint;

    public Uri ResolveUrl(ManifestModel model, ManifestFile file) =>
        new(Endpoint, $"{model.Source.Repository}/resolve/{Uri.EscapeDataString(model.Source.Revision!)}/{file.Path}");

    /// <returns>Null when the revision has no such file (404).</returns>
    /// <exception cref="HubAccessException">401 or 403 from the hub.</exception>
    public async Task<HubFile?> ProbeAsync(ManifestModel model, ManifestFile file, CancellationToken cancellationToken)
    {
        var url = ResolveUrl(model, file);
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, url);
            Authorize(request);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new HubAccessException(token is null
                    ? $"{model.Source.Repository} is gated or private ({status} without a token): set HF_TOKEN to a Hugging Face token that may read it."
                    : $"{model.Source.Repository} refused the token in HF_TOKEN ({status}): check that it may read the repository (gated repositories need their terms accepted).");
            }

            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                var target = new Uri(url, location);
                // The hub also redirects to itself (a renamed repository): follow those with the token, stop at the CDN.
                if (IsHub(target) && hop < MaxHubRedirects)
                {
                    url = target;
                    continue;
                }

                return new HubFile(target, Size(response), Sha256(response), Header(response, "X-Repo-Commit"));
            }

            response.EnsureSuccessStatusCode();
            return new HubFile(url, Size(response), Sha256(response), Header(response, "X-Repo-Commit"));
        }
    }

    /// <summary>
    /// Appends the rest of <paramref name="file"/> to <paramref name="partial"/>: a range request from the bytes already
    /// there, or the whole file when the server ignores the range.
    /// </summary>
    public async Task DownloadAsync(HubFile file, string partial, IFileProgress progress, CancellationToken cancellationToken)
    {
        var have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (file.Size is { } size && have >= size)
        {
            if (have == size)
            {
                return;
            }

            File.Delete(partial);
            have = 0;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, file.Location);
        if (IsHub(file.Location))
        {
            Authorize(request);
        }

        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && file.Size is null)
        {
            return; // the partial file already holds every byte
        }

        response.EnsureSuccessStatusCode();
        var resumed = have > 0 && response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == have;
        progress.Attempt(resumed ? have : 0);
        var output = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (output.ConfigureAwait(false))
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var buffer = new byte[1 << 16];
                var written = resumed ? have : 0;
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    written += read;
                    progress.Bytes(written);
                }
            }
        }
    }

    private bool IsHub(Uri target) => Uri.Compare(target, Endpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private void Authorize(HttpRequestMessage request)
    {
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    private static long? Size(HttpResponseMessage response) =>
        long.TryParse(Header(response, "X-Linked-Size"), out var linked) ? linked : response.Content.Headers.ContentLength;

    /// <summary>The LFS object's SHA-256: <c>X-Linked-Etag</c> when it is one (64 hex digits, quoted or weak).</summary>
    private static string? Sha256(HttpResponseMessage response) =>
        Header(response, "X-Linked-Etag") is { } etag && Sha256Etag().Match(etag) is { Success: true } match
            ? match.Groups["sha"].Value.ToLowerInvariant()
            : null;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    [GeneratedRegex("""^(W/)?"?(?<sha>[0-9a-fA-F]{64})"?$""")]
    private static partial Regex Sha256Etag();
}
