using System.Net;
using System.Net.Http.Json;
using Pipeline.Tests.Api.Infrastructure;

namespace Pipeline.Tests.Api;

/// <summary>An owner never sees another owner's images: not their results, bytes, neighbours or search hits (404, not 403).</summary>
public sealed class OwnerScopingTests(PipelineServices services)
{
    [Fact]
    public async Task AnotherOwnersImageCannotBeReadFetchedOrFound()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken);
        var alice = run.ClientFor("alice");
        var bob = run.ClientFor("bob");
        using (var response = await alice.PostFormAsync("/v1/describe/batch", [("a.png", Pictures.Photo(20)), ("b.png", Pictures.Photo(21))], ["private", "second"], cancellationToken))
        {
            await response.JsonAsync(HttpStatusCode.OK, cancellationToken);
        }

        using (var response = await bob.PostFormAsync("/v1/describe", [("b.png", Pictures.Photo(22))], ["bobs"], cancellationToken))
        {
            await response.JsonAsync(HttpStatusCode.OK, cancellationToken);
        }

        foreach (var path in new[] { "/v1/images/private", "/v1/images/private/content", "/v1/images/private/content?width=64", "/v1/images/private/similar" })
        {
            using var response = await bob.GetAsync(path, cancellationToken);
            await response.ProblemAsync(HttpStatusCode.NotFound, cancellationToken);
        }

        using (var classify = await bob.PostAsJsonAsync("/v1/classify", new ClassifyBody(["a cat", "a sign"], ["private"]), cancellationToken))
        {
            await classify.ProblemAsync(HttpStatusCode.NotFound, cancellationToken);
        }

        using (var list = await bob.GetAsync("/v1/images", cancellationToken))
        {
            Assert.Equal(["bobs"], (await list.JsonAsync(HttpStatusCode.OK, cancellationToken)).GetProperty("items").EnumerateArray().Select(i => i.Text("id")));
        }

        using (var search = await bob.GetAsync("/v1/search?q=a%20picture", cancellationToken))
        {
            Assert.Equal(["bobs"], (await search.JsonAsync(HttpStatusCode.OK, cancellationToken)).GetProperty("hits").EnumerateArray().Select(i => i.Text("id")));
        }

        using (var own = await alice.GetAsync("/v1/images/private", cancellationToken))
        {
            Assert.Equal("described", (await own.JsonAsync(HttpStatusCode.OK, cancellationToken)).Text("status"));
        }
    }

    [Fact]
    public async Task TwoOwnersMayUseTheSameIdForTheirOwnPictures()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken);
        var alice = run.ClientFor("alice");
        var bob = run.ClientFor("bob");
        var alicesBytes = Pictures.Photo(23);
        var bobsBytes = Pictures.Photo(24);

        using var fromAlice = await alice.PostRawAsync("/v1/describe?id=cat", alicesBytes, "image/png", cancellationToken);
        using var fromBob = await bob.PostRawAsync("/v1/describe?id=cat", bobsBytes, "image/png", cancellationToken);

        Assert.NotEqual(
            (await fromAlice.JsonAsync(HttpStatusCode.OK, cancellationToken)).Text("contentHash"),
            (await fromBob.JsonAsync(HttpStatusCode.OK, cancellationToken)).Text("contentHash"));
        Assert.Equal(alicesBytes, await alice.GetByteArrayAsync("/v1/images/cat/content", cancellationToken));
        Assert.Equal(bobsBytes, await bob.GetByteArrayAsync("/v1/images/cat/content", cancellationToken));
    }

    [Fact]
    public async Task AnApiKeyActsForItsOwnerAndNoOwnerMeans401()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken);
        using (var upload = await run.ClientWithKey(ApiRun.AliceKey).PostRawAsync("/v1/describe?id=keyed", Pictures.Photo(25), "image/png", cancellationToken))
        {
            await upload.JsonAsync(HttpStatusCode.OK, cancellationToken);
        }

        using (var byHeader = await run.ClientFor("alice").GetAsync("/v1/images/keyed", cancellationToken))
        {
            Assert.Equal("described", (await byHeader.JsonAsync(HttpStatusCode.OK, cancellationToken)).Text("status"));
        }

        // The key decides; an owner header beside it changes nothing.
        var bobWithAlicesHeader = run.ClientWithKey(ApiRun.BobKey);
        bobWithAlicesHeader.DefaultRequestHeaders.Add("X-Owner-Id", "alice");
        using (var notBobs = await bobWithAlicesHeader.GetAsync("/v1/images/keyed", cancellationToken))
        {
            await notBobs.ProblemAsync(HttpStatusCode.NotFound, cancellationToken);
        }

        using (var wrongKey = await run.ClientWithKey("not-a-key-of-anyone-at-all").GetAsync("/v1/images/keyed", cancellationToken))
        {
            Assert.Contains("not a configured API key", (await wrongKey.ProblemAsync(HttpStatusCode.Unauthorized, cancellationToken)).Text("detail"));
        }

        using (var nobody = await run.ClientFor(null).GetAsync("/v1/images/keyed", cancellationToken))
        {
            await nobody.ProblemAsync(HttpStatusCode.Unauthorized, cancellationToken);
        }

        using (var badOwner = await run.ClientFor("alice/../bob").GetAsync("/v1/images", cancellationToken))
        {
            await badOwner.ProblemAsync(HttpStatusCode.Unauthorized, cancellationToken);
        }
    }

    private sealed record ClassifyBody(string[] Labels, string[] ImageIds);
}
