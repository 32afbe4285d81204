using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Polly;
using Polly.Retry;

namespace Pipeline.Sources.Urls;

/// <summary>
/// Fetches a <c>url</c> source through <see cref="GuardedConnections"/>: redirects followed by hand and each one
/// checked, a deadline on the whole fetch, the content type checked before the body is read, and the byte cap
/// enforced while it streams.
/// </summary>
/// <remarks>
/// Every failure is the image's (<see cref="ImageRejectedException"/>), even a server that is down: the server is not
/// this worker's infrastructure, and throwing would retry the whole batch and finally park every image of it in the
/// error queue because of one address. Transient answers (5xx, 408, 429, dropped or refused connections) get a few
/// retries of their own first (Polly: exponential backoff with jitter, or the server's Retry-After), within
/// <see cref="UrlSourceOptions.TimeoutSeconds"/>; a Retry-After longer than the time left fails the image at once.
/// The retry wraps the whole fetch (every redirect, the status, the body), which a retrying HTTP handler would not see.
/// </remarks>
public sealed partial class UrlImageFetcher(
    IHttpClientFactory clients,
    UrlGuard guard,
    IOptions<UrlSourceOptions> urlOptions,
    IOptions<SourceOptions> sourceOptions,
    ILogger<UrlImageFetcher> logger)
{
    /// <summary>The <see cref="IHttpClientFactory"/> client whose primary handler is <see cref="GuardedConnections.CreateHandler"/>.</summary>
    public const string HttpClientName = "Pipeline.Sources.Url";

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly ResiliencePropertyKey<long> Started = new("pipeline.url.started");
    private static readonly ResiliencePropertyKey<string> Shown = new("pipeline.url.shown");

    private readonly UrlSourceOptions _options = urlOptions.Value;
    private readonly long _maxBytes = sourceOptions.Value.MaxBytes;
    private readonly ResiliencePipeline _retries = Retries(urlOptions.Value, logger);

    public async Task<byte[]> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        guard.CheckUrl(url);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            return await FetchWithRetriesAsync(url, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ImageRejectedException(
                FailureReasons.UrlFetchFailed,
                $"'{SafeUrl.Show(url)}' was not fetched within {_options.TimeoutSeconds} s ({UrlSourceOptions.Section}:TimeoutSeconds).",
                e);
        }
    }

    private async Task<byte[]> FetchWithRetriesAsync(Uri url, CancellationToken cancellationToken)
    {
        var http = clients.CreateClient(HttpClientName);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Started, Stopwatch.GetTimestamp());
        context.Properties.Set(Shown, SafeUrl.Show(url));
        var attempts = 0;
        try
        {
            return await _retries.ExecuteAsync(
                async attempt =>
                {
                    attempts++;
                    return await FetchOnceAsync(http, url, attempt.CancellationToken).ConfigureAwait(false);
                },
                context).ConfigureAwait(false);
        }
        catch (TransientFetchException e)
        {
            var after = attempts == 1 ? "" : $" (after {attempts} attempts)";
            var wait = e.RetryAfter is { } asked && attempts <= _options.Retries
                ? $" and asked to wait {asked.TotalSeconds:0} s, longer than the fetch has left ({UrlSourceOptions.Section}:TimeoutSeconds {_options.TimeoutSeconds})"
                : "";
            throw new ImageRejectedException(FailureReasons.UrlFetchFailed, $"'{SafeUrl.Show(url)}' could not be fetched{after}: {e.Message}{wait}.", e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// The one retry policy of a URL fetch: transient failures only, the server's Retry-After when it gives one and it
    /// fits in the time the fetch has left, otherwise 250 ms doubling with jitter.
    /// </summary>
    private static ResiliencePipeline Retries(UrlSourceOptions options, ILogger logger)
    {
        if (options.Retries == 0)
        {
            return ResiliencePipeline.Empty;
        }

        var timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        return new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = options.Retries,
            Delay = FirstRetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is TransientFetchException e
                && (e.RetryAfter is not { } asked || asked < timeout - Stopwatch.GetElapsedTime(args.Context.Properties.GetValue(Started, 0)))),
            DelayGenerator = args => ValueTask.FromResult((args.Outcome.Exception as TransientFetchException)?.RetryAfter),
            OnRetry = args =>
            {
                var (shown, problem) = (args.Context.Properties.GetValue(Shown, ""), args.Outcome.Exception?.Message ?? "");
                LogRetrying(logger, shown, problem, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    private async Task<byte[]> FetchOnceAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        var current = url;
        for (var redirects = 0; ; redirects++)
        {
            using var response = await SendAsync(http, current, cancellationToken).ConfigureAwait(false);
            if (RedirectTarget(response, current) is { } next)
            {
                if (redirects == _options.MaxRedirects)
                {
                    throw Failed($"'{SafeUrl.Show(url)}' redirects more than {_options.MaxRedirects} times ({UrlSourceOptions.Section}:MaxRedirects).");
                }

                guard.CheckUrl(next, current);
                var (from, to) = (SafeUrl.Show(current), SafeUrl.Show(next));
                LogRedirect(logger, from, to);
                current = next;
                continue;
            }

            CheckStatus(response, current);
            CheckContentType(response, current);
            var declared = response.Content.Headers.ContentLength;
            if (declared > _maxBytes)
            {
                throw CappedReader.TooLarge(declared.Value, _maxBytes);
            }

            return await ReadBodyAsync(response, declared ?? -1, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        // HTTP/1.1: HTTP/3 would run over QUIC, which does not go through the guarded connection callback.
        using var request = new HttpRequestMessage(HttpMethod.Get, url)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Headers.UserAgent.ParseAdd(_options.UserAgent);
        request.Headers.Accept.ParseAdd("image/*, application/octet-stream;q=0.8");
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (Find<UrlRefusedException>(e) is { } refused)
        {
            throw new ImageRejectedException(FailureReasons.UrlNotAllowed, refused.Message, e);
        }
        catch (HttpRequestException e) when (Find<SocketException>(e)?.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
        {
            throw Failed($"The host of '{SafeUrl.Show(url)}' does not exist (DNS).", e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            throw Failed($"'{SafeUrl.Show(url)}' did not complete a trusted TLS handshake ({e.InnerException?.Message ?? e.Message}).", e);
        }
        catch (HttpRequestException e)
        {
            throw new TransientFetchException($"the connection to {url.IdnHost} failed ({e.HttpRequestError})", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientFetchException(
                $"connecting to {url.IdnHost} took longer than {_options.ConnectTimeoutSeconds} s ({UrlSourceOptions.Section}:ConnectTimeoutSeconds)", e);
        }
    }

    private static Uri? RedirectTarget(HttpResponseMessage response, Uri current)
    {
        if (response.StatusCode is not (HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect))
        {
            return null;
        }

        var location = response.Headers.Location
            ?? throw Failed($"'{SafeUrl.Show(current)}' answered {Status(response.StatusCode)} without saying where to (no Location header).");
        return location.IsAbsoluteUri ? location : new Uri(current, location);
    }

    private static void CheckStatus(HttpResponseMessage response, Uri url)
    {
        var status = response.StatusCode;
        var code = (int)status;
        if (code is >= 200 and < 300)
        {
            return;
        }

        if (status is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            throw new ImageRejectedException(
                FailureReasons.UrlNotFound, $"'{SafeUrl.Show(url)}' answered {Status(status)}: there is no image at this address.");
        }

        if (code >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
        {
            throw new TransientFetchException($"the server answered {Status(status)}") { RetryAfter = RetryAfter(response) };
        }

        throw Failed($"'{SafeUrl.Show(url)}' answered {Status(status)}.");
    }

    // A fast refusal of what is plainly no picture (an HTML error or login page); the bytes of anything let through
    // are still sniffed by the decoder. octet-stream is what object stores serve for files uploaded without a type.
    private static void CheckContentType(HttpResponseMessage response, Uri url)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var isImage = mediaType is null
            || mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("binary/octet-stream", StringComparison.OrdinalIgnoreCase);
        if (!isImage)
        {
            throw new ImageRejectedException(
                FailureReasons.UnsupportedContentType,
                $"'{SafeUrl.Show(url)}' answered with content type {mediaType}, not an image (expected image/* or application/octet-stream).");
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, long declared, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                return await CappedReader.ReadAsync(body, declared, _maxBytes, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new TransientFetchException("the connection broke while the image was read", e);
        }
    }

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>How long the server asked to be left alone (Retry-After as seconds or as a date), if it said.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is { Ticks: > 0 } left ? left : TimeSpan.Zero,
        _ => null,
    };

    private static string Status(HttpStatusCode status) =>
        Enum.IsDefined(status) ? $"HTTP {(int)status} ({status})" : $"HTTP {(int)status}";

    private static ImageRejectedException Failed(string message, Exception? inner = null) =>
        new(FailureReasons.UrlFetchFailed, message, inner);

    [LoggerMessage(Level = LogLevel.Debug, Message = "URL source {From} redirects to {To}")]
    private static partial void LogRedirect(ILogger logger, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "URL source {Url}: {Problem}; attempt {Attempt} failed, retrying in {DelayMs} ms")]
    private static partial void LogRetrying(ILogger logger, string url, string problem, int attempt, double delayMs);

    /// <summary>A failure worth another attempt; the last one becomes the image's <c>url-fetch-failed</c>.</summary>
    private sealed class TransientFetchException(string message, Exception? inner = null) : Exception(message, inner)
    {
        /// <summary>The server's Retry-After, when it answered with one.</summary>
        public TimeSpan? RetryAfter { get; init; }
    }
}
