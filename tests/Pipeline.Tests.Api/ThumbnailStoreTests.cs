using System.Net;
using Pipeline.Api.Hosting;
using Pipeline.Tests.Api.Infrastructure;
using SkiaSharp;

namespace Pipeline.Tests.Api;

/// <summary>
/// A thumbnail is made once, stored, and served from the store after that: requests arriving together share one
/// render, later ones and other widths of the same stored size render nothing, and a rejected original is 422 for all.
/// </summary>
public sealed class ThumbnailStoreTests(PipelineServices services)
{
    [Fact]
    public async Task ConcurrentRequestsShareOneRenderAndLaterOnesAreServedFromTheStore()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false);
        var client = run.ClientFor("dora");
        using var renders = new ThumbnailRenderCount(run.Factory.Services);
        await UploadAsync(client, "garden", Pictures.Photo(30, 400, 300), cancellationToken);

        var together = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetAsync("/v1/images/garden/content?width=256", cancellationToken)));

        using var first = together[0];
        var bytes = await first.Content.ReadAsByteArrayAsync(cancellationToken);
        Assert.Equal("image/webp", first.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("-w256\"", first.Headers.ETag!.Tag, StringComparison.Ordinal);
        Assert.True(first.Headers.CacheControl?.Private);
        Assert.Equal(TimeSpan.FromHours(1), first.Headers.CacheControl?.MaxAge);
        foreach (var response in together.Skip(1))
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(first.Headers.ETag, response.Headers.ETag);
                Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync(cancellationToken));
            }
        }

        using (var decoded = SKBitmap.Decode(bytes))
        {
            Assert.Equal((256, 192), (decoded.Width, decoded.Height));
        }

        Assert.Equal(1, renders[ApiMetrics.Stored]);
        Assert.Equal(1, renders.Total);
        var stored = Assert.Single(await run.ThumbnailNamesAsync(cancellationToken));
        Assert.Matches("^dora/[0-9a-f]{32}/[^/]+/w256\\.webp$", stored);

        // Another width of the same stored size: the stored thumbnail, not a render.
        using var sameSize = await client.GetAsync("/v1/images/garden/content?width=200", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, sameSize.StatusCode);
        Assert.Equal(first.Headers.ETag, sameSize.Headers.ETag);
        Assert.Equal(bytes, await sameSize.Content.ReadAsByteArrayAsync(cancellationToken));
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "/v1/images/garden/content?width=256");
        revalidate.Headers.IfNoneMatch.Add(first.Headers.ETag);
        using var notModified = await client.SendAsync(revalidate, cancellationToken);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(1, renders.Total);

        // A smaller stored size is a thumbnail of its own, with an ETag of its own.
        using var smaller = await client.GetAsync("/v1/images/garden/content?width=100", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, smaller.StatusCode);
        Assert.EndsWith("-w128\"", smaller.Headers.ETag!.Tag, StringComparison.Ordinal);
        using (var decoded = SKBitmap.Decode(await smaller.Content.ReadAsByteArrayAsync(cancellationToken)))
        {
            Assert.Equal((128, 96), (decoded.Width, decoded.Height));
        }

        Assert.Equal(2, renders[ApiMetrics.Stored]);
        Assert.Equal(2, (await run.ThumbnailNamesAsync(cancellationToken)).Count);

        // Another owner's image under the same id gets thumbnails of its own.
        var erik = run.ClientFor("erik");
        await UploadAsync(erik, "garden", Pictures.Photo(31, 400, 300), cancellationToken);
        using var others = await erik.GetAsync("/v1/images/garden/content?width=256", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, others.StatusCode);
        Assert.NotEqual(bytes, await others.Content.ReadAsByteArrayAsync(cancellationToken));
        Assert.Equal(3, renders[ApiMetrics.Stored]);
    }

    [Fact]
    public async Task AnOriginalTheDecoderRejectsIs422ForEveryRequestAndNothingIsStored()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false, api: new Dictionary<string, string?>
        {
            ["Imaging:MaxPixels"] = "10000",
        });
        var client = run.ClientFor("dora");
        using var renders = new ThumbnailRenderCount(run.Factory.Services);
        await UploadAsync(client, "wide", Pictures.Photo(32, 400, 300), cancellationToken);

        var together = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GetAsync("/v1/images/wide/content?width=64", cancellationToken)));

        foreach (var response in together)
        {
            using (response)
            {
                var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity, cancellationToken);
                Assert.Equal("too-many-pixels", problem.Text("reason"));
            }
        }

        // Rejections are not kept: requests that arrive after a rejected render has ended try again (each is refused
        // from the header, before a pixel is decoded).
        Assert.InRange(renders["too-many-pixels"], 1, 4);
        Assert.Equal(renders["too-many-pixels"], renders.Total);
        Assert.Empty(await run.ThumbnailNamesAsync(cancellationToken));
    }

    [Fact]
    public async Task ARenderBeyondTheQueueIs503WithRetryAfterAndIsNotCached()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false, api: new Dictionary<string, string?>
        {
            ["Api:Thumbnails:MaxConcurrentRenders"] = "1",
            ["Api:Thumbnails:MaxQueuedRenders"] = "0",
        });
        var client = run.ClientFor("dora");
        using var renders = new ThumbnailRenderCount(run.Factory.Services);
        await UploadAsync(client, "huge", HugePngs.Rgb(8000, 8000, 200, 100, 50), cancellationToken);

        // Three different thumbnails asked at once: one render takes the only turn (a 64-megapixel decode, far longer
        // than the other requests take to arrive), and the others find no place to wait.
        var answers = await Task.WhenAll(ThreeWidths.Select(width => client.GetAsync($"/v1/images/huge/content?width={width}", cancellationToken)));

        var refused = answers.First(a => a.StatusCode == HttpStatusCode.ServiceUnavailable);
        var problem = await refused.ProblemAsync(HttpStatusCode.ServiceUnavailable, cancellationToken);
        Assert.Contains("ask again", problem.Text("detail"));
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        Assert.True(refused.Headers.CacheControl?.NoStore);
        Assert.Null(refused.Headers.ETag);
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.Equal(answers.Count(a => a.StatusCode == HttpStatusCode.OK), renders[ApiMetrics.Stored]);
        Assert.Equal(answers.Count(a => a.StatusCode == HttpStatusCode.ServiceUnavailable), renders[ApiMetrics.Busy]);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }

        using var later = await client.GetAsync("/v1/images/huge/content?width=128", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    private static readonly int[] ThreeWidths = [64, 128, 256];

    private static async Task UploadAsync(HttpClient client, string id, byte[] png, CancellationToken cancellationToken)
    {
        using var upload = await client.PostRawAsync($"/v1/images?id={id}", png, "image/png", cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
    }
}
