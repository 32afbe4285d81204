using System.Globalization;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pipeline.Contracts;
using Pipeline.Sources.Urls;

namespace Pipeline.Tests.Unit.Sources;

/// <summary>
/// The fetcher against a real HTTP server (Kestrel on 127.0.0.1, reached as <c>images.test</c> through the fake
/// resolver, with http and 127.0.0.0/8 allowed): redirects, status codes, content types, the byte cap and the deadline.
/// </summary>
public sealed class UrlImageFetcherServerTests : IAsyncLifetime
{
    private const string Host = "images.test";
    private static readonly byte[] Picture = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7))];

    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly FakeResolver _resolver = new FakeResolver().Answer(Host, "127.0.0.1").Answer("internal.test", "10.0.0.7");
    private LocalWebServer? _server;
    private readonly TaskCompletionSource _endlessHungUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _endlessSentWhole;
    private DateTimeOffset _firstPatientHit;
    private DateTimeOffset _secondPatientHit;

    private LocalWebServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async ValueTask InitializeAsync() => _server = await LocalWebServer.StartAsync(MapRoutes, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task AnImageServedByTheServerIsFetched()
    {
        var bytes = await FetchAsync("/cat.png");

        Assert.Equal(Picture, bytes);
    }

    [Theory]
    [InlineData("/typed?type=image%2Fwebp")]
    [InlineData("/typed?type=application%2Foctet-stream")]
    [InlineData("/untyped")]
    public async Task ImagesOctetStreamsAndUntypedBodiesAreFetched(string path) => Assert.Equal(Picture, await FetchAsync(path));

    [Theory]
    [InlineData("/typed?type=text%2Fhtml%3B%20charset%3Dutf-8", "text/html")]
    [InlineData("/typed?type=application%2Fjson", "application/json")]
    public async Task ABodyThatIsNoPictureIsRefusedByItsContentType(string path, string type)
    {
        var refused = await RefusedAsync(path);

        Assert.Equal(FailureReasons.UnsupportedContentType, refused.Reason);
        Assert.Equal($"'http://{Host}:{Server.Port}/typed' answered with content type {type}, not an image (expected image/* or application/octet-stream).", refused.Message);
    }

    [Fact]
    public async Task TheByteCapStopsABodyWithoutALengthWhileItStreams()
    {
        var refused = await RefusedAsync("/endless", maxBytes: 256 * 1024);

        Assert.Equal(FailureReasons.TooManyBytes, refused.Reason);
        Assert.StartsWith("The image has at least ", refused.Message, StringComparison.Ordinal);
        Assert.EndsWith("the limit is 262,144 (Sources:MaxBytes).", refused.Message, StringComparison.Ordinal);
        // The reader stopped within one read of the cap, and the fetcher hung up instead of reading the rest.
        var read = long.Parse(refused.Message["The image has at least ".Length..refused.Message.IndexOf(" bytes", StringComparison.Ordinal)], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.InRange(read, 256 * 1024 + 1, (256 + 80) * 1024);
        await _endlessHungUp.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.False(_endlessSentWhole, "the server sent the whole 64 MB body: the fetch did not stop at the cap");
    }

    [Fact]
    public async Task ADeclaredLengthOverTheCapIsRefusedBeforeTheBodyIsRead()
    {
        var refused = await RefusedAsync("/declared-large", maxBytes: 64 * 1024);

        Assert.Equal(FailureReasons.TooManyBytes, refused.Reason);
        Assert.Equal("The image has at least 1,048,576 bytes; the limit is 65,536 (Sources:MaxBytes).", refused.Message);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(410)]
    public async Task NotFoundAndGoneAreUrlNotFound(int status)
    {
        var refused = await RefusedAsync($"/status/{status}");

        Assert.Equal(FailureReasons.UrlNotFound, refused.Reason);
        Assert.Contains($"answered HTTP {status}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, _hits[$"/status/{status}"]);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(451)]
    public async Task OtherClientErrorsFailTheImageWithoutRetrying(int status)
    {
        var refused = await RefusedAsync($"/status/{status}");

        Assert.Equal(FailureReasons.UrlFetchFailed, refused.Reason);
        Assert.Contains($"answered HTTP {status}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, _hits[$"/status/{status}"]);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(408)]
    public async Task ServerErrorsAreRetriedThenFailTheImage(int status)
    {
        var refused = await RefusedAsync($"/status/{status}", configure: options => options.Retries = 2);

        Assert.Equal(FailureReasons.UrlFetchFailed, refused.Reason);
        Assert.Contains($"could not be fetched (after 3 attempts): the server answered HTTP {status}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(3, _hits[$"/status/{status}"]);
    }

    [Fact]
    public async Task AServerErrorThatClearsIsRetriedAndTheImageFetched()
    {
        Assert.Equal(Picture, await FetchAsync("/flaky"));
        Assert.Equal(2, _hits["/flaky"]);
    }

    [Fact]
    public async Task AServerThatAsksToWaitIsRetriedAfterItsRetryAfter()
    {
        Assert.Equal(Picture, await FetchAsync("/patient"));

        Assert.Equal(2, _hits["/patient"]);
        var waited = _secondPatientHit - _firstPatientHit;
        // Longer than the backoff without the header (250 ms with jitter).
        Assert.True(waited >= TimeSpan.FromSeconds(0.95), $"retried after {waited.TotalSeconds:F2} s; Retry-After said 1 s");
    }

    [Fact]
    public async Task ARetryAfterLongerThanTheDeadlineFailsTheImageAtOnce()
    {
        var refused = await RefusedAsync("/status/429?wait=3600");

        Assert.Equal(FailureReasons.UrlFetchFailed, refused.Reason);
        Assert.Equal(
            $"'http://{Host}:{Server.Port}/status/429' could not be fetched: the server answered HTTP 429 (TooManyRequests) and asked to wait 3600 s, longer than the fetch has left (Sources:Url:TimeoutSeconds 30).",
            refused.Message);
        Assert.Equal(1, _hits["/status/429"]);
    }

    [Fact]
    public async Task RedirectsWithinTheLimitAreFollowed()
    {
        Assert.Equal(Picture, await FetchAsync("/redirect/2", options => options.MaxRedirects = 3));
        Assert.Equal(1, _hits["/redirect/0"]);
    }

    [Fact]
    public async Task ARedirectLoopIsCutOffAtTheLimit()
    {
        var refused = await RefusedAsync("/loop", configure: options => options.MaxRedirects = 3);

        Assert.Equal(FailureReasons.UrlFetchFailed, refused.Reason);
        Assert.Equal($"'http://{Host}:{Server.Port}/loop' redirects more than 3 times (Sources:Url:MaxRedirects).", refused.Message);
        Assert.Equal(4, _hits["/loop"]);
    }

    [Theory]
    [InlineData("http://internal.test/cat.png", "'http://internal.test/cat.png' resolves to 10.0.0.7, a private network address")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "'http://169.254.169.254/latest/meta-data/' is 169.254.169.254, a link-local address")]
    [InlineData("http://[::ffff:192.168.1.1]/cat.png", "is ::ffff:192.168.1.1, a private network address")]
    public async Task ARedirectToAnAddressThatIsNotPublicIsRefused(string target, string says)
    {
        var refused = await RefusedAsync("/to?target=" + Uri.EscapeDataString(target));

        Assert.Equal(FailureReasons.UrlNotAllowed, refused.Reason);
        Assert.Contains(says, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARedirectToAnotherSchemeIsRefused()
    {
        var refused = await RefusedAsync("/to?target=" + Uri.EscapeDataString("file:///etc/passwd"));

        Assert.Equal(FailureReasons.UrlNotAllowed, refused.Reason);
        Assert.Contains("the scheme 'file'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARedirectWithoutALocationFailsTheImage()
    {
        var refused = await RefusedAsync("/status/302");

        Assert.Equal(FailureReasons.UrlFetchFailed, refused.Reason);
        Assert.Contains("no Location header", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALocalServerIsRefusedWithoutAnAllowedNetwork()
    {
        using var host = new UrlFetcherHost(_resolver, options => options.AllowHttp = true);

        var refused = await Assert.ThrowsAsync<ImageRejectedException>(() =>
            host.Fetcher.FetchAsync(Server.Url(Host, "/cat.png"), TestContext.Current.CancellationToken));

        Assert.Equal(FailureReasons.UrlNotAllowed, refused.Reason);
        Assert.Contains("resolves to 127.0.0.1, a loopback address", refused.Message, StringComparison.Ordinal);
        Assert.False(_hits.ContainsKey("/cat.png"), "the guard let a request through to the server");
    }

    [Fact]
    public async Task AServerSlowerThanTheDeadlineFailsTheImage()
    {
        var refused = await RefusedAsync("/slow", configure: options => options.TimeoutSeconds = 1);

        Assert.Equal(FailureReasons.UrlFetchFailed, refused.Reason);
        Assert.Equal($"'http://{Host}:{Server.Port}/slow' was not fetched within 1 s (Sources:Url:TimeoutSeconds).", refused.Message);
    }

    [Fact]
    public async Task CancellationByTheWorkerIsNoFailureOfTheImage()
    {
        using var host = new UrlFetcherHost(_resolver, UrlFetcherHost.AllowLocalHttp);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        stopping.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.Fetcher.FetchAsync(Server.Url(Host, "/slow"), stopping.Token));
    }

    private async Task<byte[]> FetchAsync(string path, Action<UrlSourceOptions>? configure = null)
    {
        using var host = new UrlFetcherHost(_resolver, options =>
        {
            UrlFetcherHost.AllowLocalHttp(options);
            configure?.Invoke(options);
        });
        return await host.Fetcher.FetchAsync(Server.Url(Host, path), TestContext.Current.CancellationToken);
    }

    private async Task<ImageRejectedException> RefusedAsync(string path, long maxBytes = 32L * 1024 * 1024, Action<UrlSourceOptions>? configure = null)
    {
        using var host = new UrlFetcherHost(
            _resolver,
            options =>
            {
                UrlFetcherHost.AllowLocalHttp(options);
                configure?.Invoke(options);
            },
            maxBytes);
        return await Assert.ThrowsAsync<ImageRejectedException>(() => host.Fetcher.FetchAsync(Server.Url(Host, path), TestContext.Current.CancellationToken));
    }

    private void MapRoutes(WebApplication app)
    {
        app.Use((context, next) =>
        {
            _hits.AddOrUpdate(context.Request.Path.Value ?? "", 1, (_, n) => n + 1);
            return next(context);
        });
        app.MapGet("/cat.png", context => Send(context, "image/png"));
        app.MapGet("/typed", context => Send(context, context.Request.Query["type"].ToString()));
        app.MapGet("/untyped", context => Send(context, null));
        app.MapGet("/flaky", context => _hits["/flaky"] == 1 ? Status(context, 503) : Send(context, "image/jpeg"));
        app.MapGet("/patient", context =>
        {
            if (_hits["/patient"] == 1)
            {
                _firstPatientHit = DateTimeOffset.UtcNow;
                context.Response.Headers.RetryAfter = "1";
                return Status(context, 503);
            }

            _secondPatientHit = DateTimeOffset.UtcNow;
            return Send(context, "image/jpeg");
        });
        app.MapGet("/status/{code:int}", context =>
        {
            if (context.Request.Query["wait"] is [{ } wait])
            {
                context.Response.Headers.RetryAfter = wait;
            }

            return Status(context, int.Parse((string)context.GetRouteValue("code")!, System.Globalization.CultureInfo.InvariantCulture));
        });
        app.MapGet("/redirect/{n:int}", context =>
        {
            var n = int.Parse((string)context.GetRouteValue("n")!, System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Redirect(n == 0 ? "/cat.png" : $"/redirect/{n - 1}");
            return Task.CompletedTask;
        });
        app.MapGet("/loop", context =>
        {
            context.Response.Redirect("/loop");
            return Task.CompletedTask;
        });
        app.MapGet("/to", context =>
        {
            context.Response.Redirect(context.Request.Query["target"].ToString());
            return Task.CompletedTask;
        });
        app.MapGet("/endless", async context =>
        {
            context.Response.ContentType = "image/png";
            using var hungUp = context.RequestAborted.Register(() => _endlessHungUp.TrySetResult());
            var chunk = new byte[8192];
            try
            {
                // Kestrel drops writes silently once the client is gone and notices the hang-up only on its next send:
                // paced writes, each flushed, give it that send long before the whole body could have gone out.
                for (var sent = 0L; sent < 64L * 1024 * 1024 && !context.RequestAborted.IsCancellationRequested; sent += chunk.Length)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(1, context.RequestAborted);
                }

                _endlessSentWhole = !context.RequestAborted.IsCancellationRequested;
            }
            catch (OperationCanceledException)
            {
                // The client hung up at its cap: what the test wants.
            }
        });
        app.MapGet("/declared-large", async context =>
        {
            context.Response.ContentType = "image/png";
            context.Response.ContentLength = 1024 * 1024;
            await context.Response.Body.WriteAsync(new byte[1024 * 1024], context.RequestAborted);
        });
        app.MapGet("/slow", async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
            await Send(context, "image/png");
        });
    }

    private static async Task Send(HttpContext context, string? contentType)
    {
        if (contentType is not null)
        {
            context.Response.ContentType = contentType;
        }

        await context.Response.Body.WriteAsync(Picture, context.RequestAborted);
    }

    private static Task Status(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }
}
