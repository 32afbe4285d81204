using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pipeline.Tests.Api.Infrastructure;
using Pipeline.Worker.Hosting;

namespace Pipeline.Tests.Api;

/// <summary>Health probes, metrics, the OpenAPI document, problem documents for unknown paths, and the page at /.</summary>
public sealed class HealthAndDocumentTests(PipelineServices services)
{
    [Fact]
    public async Task ReadyNamesEveryServiceItDependsOn()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false);
        var anonymous = run.ClientFor(null);

        using var live = await anonymous.GetAsync("/health/live", cancellationToken);
        Assert.Equal("Healthy", (await live.JsonAsync(HttpStatusCode.OK, cancellationToken)).Text("status"));
        using var ready = await anonymous.GetAsync("/health/ready", cancellationToken);
        var checks = (await ready.JsonAsync(HttpStatusCode.OK, cancellationToken)).GetProperty("checks");
        Assert.Equal(["blobs", "masstransit-bus", "postgres"], checks.EnumerateObject().Select(c => c.Name).Order());
        Assert.All(checks.EnumerateObject(), check => Assert.Equal("Healthy", check.Value.Text("status")));
    }

    [Fact]
    public async Task ReadyIsUnhealthyWhileTheBlobStoreIsAway()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false, api: new Dictionary<string, string?>
        {
            // Port 9 (discard) has no listener here: the store is away, everything else is there.
            ["ConnectionStrings:Blobs"] = services.Endpoints.Blobs.Replace("127.0.0.1:10000", "127.0.0.1:9", StringComparison.Ordinal),
        });

        using var ready = await run.ClientFor(null).GetAsync("/health/ready", cancellationToken);

        var report = await ready.JsonAsync(HttpStatusCode.ServiceUnavailable, cancellationToken);
        Assert.Equal("Unhealthy", report.GetProperty("checks").GetProperty("blobs").Text("status"));
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("postgres").Text("status"));
        using var live = await run.ClientFor(null).GetAsync("/health/live", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task ReadyIsUnavailableWhileACheckIsDegraded()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false);
        await using var api = WithDegradedCheck(run.Factory);

        using var ready = await api.CreateClient().GetAsync("/health/ready", cancellationToken);

        // MassTransit reports a lost broker as Degraded: an API that cannot send uploads on is not ready.
        var report = await ready.JsonAsync(HttpStatusCode.ServiceUnavailable, cancellationToken);
        Assert.Equal("Degraded", report.Text("status"));
        var checks = report.GetProperty("checks");
        Assert.Equal(["blobs", DegradedCheck, "masstransit-bus", "postgres"], checks.EnumerateObject().Select(c => c.Name).Order());
        Assert.Equal("Degraded", checks.GetProperty(DegradedCheck).Text("status"));
        Assert.Equal(DegradedDescription, checks.GetProperty(DegradedCheck).Text("description"));
        Assert.Equal("Healthy", checks.GetProperty("postgres").Text("status"));
        using var live = await api.CreateClient().GetAsync("/health/live", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task TheWorkerAndTheApiAnswerHealthAlike()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false);
        await using var api = WithDegradedCheck(run.Factory);
        await using var worker = WithDegradedCheck(new HostFactory<HttpOptions>(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = run.Database,
            ["ConnectionStrings:RabbitMq"] = services.Endpoints.RabbitMq,
            ["ConnectionStrings:Blobs"] = services.Endpoints.Blobs,
            ["Batching:QueueName"] = run.QueueName,
            ["Models:ImageEmbedder:Path"] = services.StandInClipFolder,
            ["Inference:ExecutionProvider"] = "Cpu",
            ["Logging:LogLevel:Default"] = "Warning",
        }));

        using var liveFromApi = await api.CreateClient().GetAsync("/health/live", cancellationToken);
        using var liveFromWorker = await worker.CreateClient().GetAsync("/health/live", cancellationToken);
        Assert.Equal(
            (await liveFromApi.JsonAsync(HttpStatusCode.OK, cancellationToken)).GetRawText(),
            (await liveFromWorker.JsonAsync(HttpStatusCode.OK, cancellationToken)).GetRawText());

        using var readyFromApi = await api.CreateClient().GetAsync("/health/ready", cancellationToken);
        using var readyFromWorker = await worker.CreateClient().GetAsync("/health/ready", cancellationToken);
        var apiReport = await readyFromApi.JsonAsync(HttpStatusCode.ServiceUnavailable, cancellationToken);
        var workerReport = await readyFromWorker.JsonAsync(HttpStatusCode.ServiceUnavailable, cancellationToken);
        Assert.Equal("application/json", readyFromWorker.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Degraded", workerReport.Text("status"));
        Assert.Equal([DegradedCheck, "masstransit-bus", "postgres"], workerReport.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order());
        Assert.Equal(
            apiReport.GetProperty("checks").GetProperty(DegradedCheck).GetRawText(),
            workerReport.GetProperty("checks").GetProperty(DegradedCheck).GetRawText());
        Assert.All([apiReport, workerReport], report =>
        {
            Assert.Equal(["status", "checks"], report.EnumerateObject().Select(p => p.Name));
            Assert.All(report.GetProperty("checks").EnumerateObject(), check =>
                Assert.Equal(["status", "description"], check.Value.EnumerateObject().Select(p => p.Name)));
        });
    }

    [Fact]
    public async Task MetricsAreServedForPrometheusWithoutAnOwner()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false);
        var anonymous = run.ClientFor(null);
        using var live = await anonymous.GetAsync("/health/live", cancellationToken);

        using var response = await anonymous.GetAsync("/metrics", cancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var metrics = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", metrics, StringComparison.Ordinal);
        Assert.Contains("target_info{service_name=\"pipeline-api\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheEndpoints()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false);

        using var response = await run.ClientFor(null).GetAsync("/openapi/v1.json", cancellationToken);

        var document = await response.JsonAsync(HttpStatusCode.OK, cancellationToken);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(paths, new HashSet<string>
        {
            "/v1/images", "/v1/images/{id}", "/v1/images/{id}/content", "/v1/images/{id}/similar", "/v1/describe",
            "/v1/describe/batch", "/v1/search", "/v1/classify", "/v1/settings/downscale",
        });
        var upload = document.GetProperty("paths").GetProperty("/v1/images").GetProperty("post");
        Assert.Equal(["application/octet-stream", "image/*", "multipart/form-data"], upload.GetProperty("requestBody").GetProperty("content").EnumerateObject().Select(c => c.Name).Order());
        Assert.True(upload.GetProperty("responses").TryGetProperty("413", out _));
    }

    [Fact]
    public async Task UnknownPathsAreProblemsAndTheSearchPageIsServedAtTheRoot()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false);
        var client = run.ClientFor("gina");

        using var unknown = await client.GetAsync("/v1/nothing-here", cancellationToken);
        await unknown.ProblemAsync(HttpStatusCode.NotFound, cancellationToken);
        using var badPaging = await client.GetAsync("/v1/images?pageSize=1000", cancellationToken);
        await badPaging.ProblemAsync(HttpStatusCode.BadRequest, cancellationToken);
        using var badWidth = await client.GetAsync("/v1/images/x/content?width=5", cancellationToken);
        await badWidth.ProblemAsync(HttpStatusCode.BadRequest, cancellationToken);

        using var page = await client.GetAsync("/", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Find pictures</title>", await page.Content.ReadAsStringAsync(cancellationToken));
    }

    private const string DegradedCheck = "degraded-for-the-test";

    private const string DegradedDescription = "Reported degraded by the test.";

    /// <summary>The host with one more ready check, always Degraded (as MassTransit's is while the broker is away).</summary>
    private static WebApplicationFactory<T> WithDegradedCheck<T>(WebApplicationFactory<T> factory)
        where T : class =>
        factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddHealthChecks()
            .AddCheck(DegradedCheck, () => HealthCheckResult.Degraded(DegradedDescription), tags: ["ready"])));
}
