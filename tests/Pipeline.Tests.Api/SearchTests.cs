using System.Net;
using System.Net.Http.Json;
using Pipeline.Tests.Api.Infrastructure;

namespace Pipeline.Tests.Api;

/// <summary>
/// Finding uploaded pictures through the API: by words (here read from a sign by the real PP-OCRv4 weights, so the
/// ranking means something even with a random-weight CLIP), by an example, and by labels.
/// </summary>
public sealed class SearchTests(PipelineServices services)
{
    [Fact]
    public async Task SearchFindsTheUploadedPictureByItsWordsAndSimilarAndClassifyCoverTheOwnersPictures()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, worker: new Dictionary<string, string?>
        {
            ["Ocr:Path"] = PipelineServices.OcrModelFolder,
        });
        var client = run.ClientFor("ivan");
        using (var described = await client.PostFormAsync(
            "/v1/describe/batch",
            [("sign.png", Pictures.Sign("HEDGEHOG")), ("one.png", Pictures.Photo(40)), ("two.png", Pictures.Photo(41))],
            ["sign", "one", "two"],
            cancellationToken))
        {
            await described.JsonAsync(HttpStatusCode.OK, cancellationToken);
        }

        using var search = await client.GetAsync("/v1/search?q=hedgehog", cancellationToken);
        var found = await search.JsonAsync(HttpStatusCode.OK, cancellationToken);
        var top = found.GetProperty("hits")[0];
        Assert.Equal("sign", top.Text("id"));
        Assert.Contains("HEDGEHOG", top.Text("altText"));
        Assert.True(top.GetProperty("textRank").GetDouble() > 0);
        Assert.Equal("/v1/images/sign/content?width=256", top.GetProperty("links").Text("thumbnail"));
        // The test's CLIP and captioner are stand-ins: every hit says so, whichever way it was found.
        Assert.All(found.GetProperty("hits").EnumerateArray(), hit => Assert.True(hit.GetProperty("standInModels").GetBoolean()));

        using var similar = await client.GetAsync("/v1/images/one/similar", cancellationToken);
        var neighbourHits = (await similar.JsonAsync(HttpStatusCode.OK, cancellationToken)).GetProperty("hits").EnumerateArray().ToList();
        Assert.Equal(["sign", "two"], neighbourHits.Select(h => h.Text("id")).Order());
        Assert.All(neighbourHits, hit => Assert.True(hit.GetProperty("standInModels").GetBoolean()));

        using var classify = await client.PostAsJsonAsync("/v1/classify", new ClassifyBody(["hedgehog", "sunset"]), cancellationToken);
        var items = (await classify.JsonAsync(HttpStatusCode.OK, cancellationToken)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["one", "sign", "two"], items.Select(i => i.Text("id")).Order());
        Assert.All(items, item =>
        {
            var scores = item.GetProperty("scores").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            Assert.Equal(["hedgehog", "sunset"], scores.Keys.Order());
            Assert.Equal(1.0, scores.Values.Sum(), 6);
            Assert.Contains(item.Text("label"), scores.Keys);
            Assert.True(item.GetProperty("standInModels").GetBoolean());
        });

        using var empty = await client.GetAsync("/v1/search?q=%20", cancellationToken);
        await empty.ProblemAsync(HttpStatusCode.BadRequest, cancellationToken);
    }

    private sealed record ClassifyBody(string[] Labels);
}
