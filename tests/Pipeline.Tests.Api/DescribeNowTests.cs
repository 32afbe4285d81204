using System.Net;
using Pipeline.Tests.Api.Infrastructure;
using SkiaSharp;

namespace Pipeline.Tests.Api;

/// <summary>Describe in one call (the original's getAltText and getAltTexts): the answer carries the result.</summary>
public sealed class DescribeNowTests(PipelineServices services)
{
    [Fact]
    public async Task OneImageIsAnsweredWithItsResult()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken);
        var client = run.ClientFor("dave");

        using var response = await client.PostFormAsync("/v1/describe", [("penguin.png", Pictures.Photo(4))], ["penguin"], cancellationToken);

        var result = await response.JsonAsync(HttpStatusCode.OK, cancellationToken);
        Assert.Equal(("penguin", "described"), (result.Text("id"), result.Text("status")));
        Assert.False(string.IsNullOrWhiteSpace(result.Text("altText")));
        Assert.Equal("/v1/images/penguin", result.GetProperty("links").Text("self"));
    }

    [Fact]
    public async Task SeveralImagesAreAnsweredInOrderAndAFailedOneCarriesItsReason()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken);
        var client = run.ClientFor("dave");
        (string, byte[])[] files =
        [
            ("a.png", Pictures.Photo(5)),
            ("b.jpg", Pictures.Photo(6, 300, 500, SKEncodedImageFormat.Jpeg)),
            ("c.webp", Pictures.Photo(7, 500, 200, SKEncodedImageFormat.Webp)),
            ("broken.jpg", TestImages.TruncatedJpeg()),
        ];

        using var response = await client.PostFormAsync("/v1/describe/batch", files, ["a", "b", "c", "broken"], cancellationToken);

        var items = (await response.JsonAsync(HttpStatusCode.OK, cancellationToken)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["a", "b", "c", "broken"], items.Select(i => i.Text("id")));
        Assert.All(items[..3], item =>
        {
            Assert.Equal("described", item.Text("status"));
            Assert.False(string.IsNullOrWhiteSpace(item.Text("altText")));
        });
        Assert.Equal((300, 500), (items[1].GetProperty("width").GetInt32(), items[1].GetProperty("height").GetInt32()));
        Assert.Equal("failed", items[3].Text("status"));
        Assert.Equal("truncated-image", items[3].GetProperty("failure").Text("reason"));

        // The same images, listed a page at a time.
        using var first = await client.GetAsync("/v1/images?pageSize=3", cancellationToken);
        var firstPage = await first.JsonAsync(HttpStatusCode.OK, cancellationToken);
        using var second = await client.GetAsync("/v1/images?pageSize=3&page=2", cancellationToken);
        var secondPage = await second.JsonAsync(HttpStatusCode.OK, cancellationToken);
        Assert.True(firstPage.GetProperty("hasMore").GetBoolean());
        Assert.False(secondPage.GetProperty("hasMore").GetBoolean());
        var listed = firstPage.GetProperty("items").EnumerateArray().Concat(secondPage.GetProperty("items").EnumerateArray()).Select(i => i.Text("id"));
        Assert.Equal(["a", "b", "broken", "c"], listed.Order());
        using var failed = await client.GetAsync("/v1/images?status=failed", cancellationToken);
        Assert.Equal(["broken"], (await failed.JsonAsync(HttpStatusCode.OK, cancellationToken)).GetProperty("items").EnumerateArray().Select(i => i.Text("id")));
    }

    [Fact]
    public async Task AnImageThatCannotBeDescribedIs422WithTheReason()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken);
        var client = run.ClientFor("dave");

        using var response = await client.PostRawAsync("/v1/describe?id=cut-short", TestImages.TruncatedJpeg(), "image/jpeg", cancellationToken);

        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity, cancellationToken);
        Assert.Equal("truncated-image", problem.Text("reason"));
        Assert.Equal("/v1/images/cut-short", problem.Text("statusUrl"));
        Assert.Contains("truncated", problem.Text("detail"), StringComparison.OrdinalIgnoreCase);
    }
}
