using System.Net;
using System.Security.Cryptography;
using Pipeline.Tests.Api.Infrastructure;
using SkiaSharp;

namespace Pipeline.Tests.Api;

/// <summary>Upload → 202 with a status URL → the worker describes it → the result, the bytes and a thumbnail.</summary>
public sealed class UploadAndResultTests(PipelineServices services)
{
    [Fact]
    public async Task ARawUploadIsAcceptedThenDescribedAndItsBytesAndThumbnailCanBeFetched()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken);
        var client = run.ClientFor("carol");
        var bytes = Pictures.Photo(1, 400, 300);

        using var upload = await client.PostRawAsync("/v1/images", bytes, "image/png", cancellationToken);
        var accepted = await upload.JsonAsync(HttpStatusCode.Accepted, cancellationToken);
        var id = accepted.Text("id")!;
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal("pending", accepted.Text("status"));
        Assert.Equal($"/v1/images/{id}", upload.Headers.Location?.OriginalString);

        var result = await client.WaitForResultAsync(upload.Headers.Location!.OriginalString, cancellationToken);
        Assert.Equal("described", result.Text("status"));
        Assert.False(string.IsNullOrWhiteSpace(result.Text("altText")));
        Assert.False(string.IsNullOrWhiteSpace(result.Text("caption")));
        Assert.True(result.GetProperty("standInModels").GetBoolean());
        Assert.Equal((400, 300, 400, 300), (
            result.GetProperty("width").GetInt32(), result.GetProperty("height").GetInt32(),
            result.GetProperty("processedWidth").GetInt32(), result.GetProperty("processedHeight").GetInt32()));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), result.Text("contentHash"));
        var timings = result.GetProperty("timingsMs").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "fetch", "decode", "embed", "caption", "persist" }, timings);
        Assert.Equal("stand-in/vit-gpt2-image-captioning", result.GetProperty("models").Text("caption"));

        using var content = await client.GetAsync($"/v1/images/{id}/content", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal("image/png", content.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes, await content.Content.ReadAsByteArrayAsync(cancellationToken));
        Assert.True(content.Headers.CacheControl?.Private);
        var etag = content.Headers.ETag ?? throw new InvalidOperationException("no ETag");

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/v1/images/{id}/content");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(again, cancellationToken);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var thumbnail = await client.GetAsync($"/v1/images/{id}/content?width=100", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/webp", thumbnail.Content.Headers.ContentType?.MediaType);
        using var decoded = SKBitmap.Decode(await thumbnail.Content.ReadAsByteArrayAsync(cancellationToken));
        Assert.Equal((128, 96), (decoded.Width, decoded.Height)); // the smallest stored width at least 100

        using var list = await client.GetAsync("/v1/images?status=described", cancellationToken);
        var page = await list.JsonAsync(HttpStatusCode.OK, cancellationToken);
        Assert.Equal([id], page.GetProperty("items").EnumerateArray().Select(i => i.Text("id")).ToArray());
    }

    [Fact]
    public async Task AnOwnIdIsIdempotentAndKeepsItsBytes()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken);
        var client = run.ClientFor("carol");
        var first = Pictures.Photo(2, 320, 240, SKEncodedImageFormat.Jpeg);

        using var upload = await client.PostFormAsync("/v1/images", [("holiday.jpg", first)], ["holiday-01"], cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        Assert.Equal("/v1/images/holiday-01", upload.Headers.Location?.OriginalString);
        var described = await client.WaitForResultAsync("/v1/images/holiday-01", cancellationToken);

        using var repeated = await client.PostFormAsync("/v1/images", [("holiday.jpg", first)], ["holiday-01"], cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, repeated.StatusCode);
        using var otherBytes = await client.PostRawAsync("/v1/images?id=holiday-01", Pictures.Photo(3), "image/png", cancellationToken);
        var conflict = await otherBytes.ProblemAsync(HttpStatusCode.Conflict, cancellationToken);
        Assert.Contains("holiday-01", conflict.Text("detail"));

        Assert.Equal(described.Text("contentHash"), (await client.WaitForResultAsync("/v1/images/holiday-01", cancellationToken)).Text("contentHash"));
        Assert.Equal(first, await client.GetByteArrayAsync("/v1/images/holiday-01/content", cancellationToken));
        Assert.Equal(["carol/holiday-01"], await run.BlobNamesAsync(cancellationToken));
        using var list = await client.GetAsync("/v1/images", cancellationToken);
        Assert.Single((await list.JsonAsync(HttpStatusCode.OK, cancellationToken)).GetProperty("items").EnumerateArray());
    }
}
