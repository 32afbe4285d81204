using System.Net;
using System.Net.Http.Json;
using Pipeline.Tests.Api.Infrastructure;

namespace Pipeline.Tests.Api;

/// <summary>The original's config endpoint: a changed setting changes the processed size of the next image the worker describes.</summary>
public sealed class DownscaleSettingsTests(PipelineServices services)
{
    [Fact]
    public async Task AChangedSettingReachesTheWorkersDecodeStage()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken);
        var admin = run.ClientFor(ApiRun.Administrator);

        var configured = await (await admin.GetAsync("/v1/settings/downscale", cancellationToken)).JsonAsync(HttpStatusCode.OK, cancellationToken);
        Assert.Equal((1024, 224, "configuration"), (configured.GetProperty("maxSide").GetInt32(), configured.GetProperty("minSide").GetInt32(), configured.Text("source")));
        Assert.Equal((400, 300), await ProcessedSizeAsync(admin, "before", cancellationToken));

        using (var changed = await admin.PutAsJsonAsync("/v1/settings/downscale", new { maxSide = 128, minSide = 32 }, cancellationToken))
        {
            var stored = await changed.JsonAsync(HttpStatusCode.OK, cancellationToken);
            Assert.Equal((128, 32, "stored", ApiRun.Administrator), (stored.GetProperty("maxSide").GetInt32(), stored.GetProperty("minSide").GetInt32(), stored.Text("source"), stored.Text("updatedBy")));
        }

        Assert.Equal((128, 96), await ProcessedSizeAsync(admin, "after", cancellationToken));

        using (var reset = await admin.DeleteAsync("/v1/settings/downscale", cancellationToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        Assert.Equal((400, 300), await ProcessedSizeAsync(admin, "reset", cancellationToken));
    }

    [Fact]
    public async Task OnlyAdministratorsChangeItAndOnlyWithinRange()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false);

        using (var notAdmin = await run.ClientFor("mallory").PutAsJsonAsync("/v1/settings/downscale", new { maxSide = 64, minSide = 16 }, cancellationToken))
        {
            await notAdmin.ProblemAsync(HttpStatusCode.Forbidden, cancellationToken);
        }

        using (var outOfRange = await run.ClientFor(ApiRun.Administrator).PutAsJsonAsync("/v1/settings/downscale", new { maxSide = 4, minSide = 0 }, cancellationToken))
        {
            var problem = await outOfRange.ProblemAsync(HttpStatusCode.BadRequest, cancellationToken);
            Assert.Equal(["maxSide", "minSide"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        }

        var unchanged = await (await run.ClientFor("mallory").GetAsync("/v1/settings/downscale", cancellationToken)).JsonAsync(HttpStatusCode.OK, cancellationToken);
        Assert.Equal("configuration", unchanged.Text("source"));
    }

    private static async Task<(int, int)> ProcessedSizeAsync(HttpClient client, string id, CancellationToken cancellationToken)
    {
        using var response = await client.PostRawAsync($"/v1/describe?id={id}", Pictures.Photo(30, 400, 300), "image/png", cancellationToken);
        var result = await response.JsonAsync(HttpStatusCode.OK, cancellationToken);
        return (result.GetProperty("processedWidth").GetInt32(), result.GetProperty("processedHeight").GetInt32());
    }
}
