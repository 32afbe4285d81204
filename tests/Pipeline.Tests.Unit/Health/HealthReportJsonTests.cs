using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pipeline.ServiceDefaults.Health;

namespace Pipeline.Tests.Unit.Health;

/// <summary>The one health answer both hosts write: what a probe or an operator reads.</summary>
public sealed class HealthReportJsonTests
{
    [Fact]
    public async Task TheReportNamesEachCheckWithItsStatusAndDescription()
    {
        var report = new HealthReport(
            new Dictionary<string, HealthReportEntry>
            {
                ["masstransit-bus"] = new(HealthStatus.Degraded, "Not ready: the broker is away", TimeSpan.Zero, null, null),
                ["postgres"] = new(HealthStatus.Healthy, null, TimeSpan.Zero, null, null),
            },
            TimeSpan.Zero);

        var (contentType, body) = await WriteAsync(report);

        Assert.Equal("application/json", contentType);
        Assert.Equal(
            """{"status":"Degraded","checks":{"masstransit-bus":{"status":"Degraded","description":"Not ready: the broker is away"},"postgres":{"status":"Healthy","description":null}}}""",
            body);
    }

    [Fact]
    public async Task ALivenessReportHasNoChecks()
    {
        var (_, body) = await WriteAsync(new HealthReport(new Dictionary<string, HealthReportEntry>(), TimeSpan.Zero));

        Assert.Equal("""{"status":"Healthy","checks":{}}""", body);
    }

    private static async Task<(string? ContentType, string Body)> WriteAsync(HealthReport report)
    {
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;

        await HealthReportJson.WriteAsync(context, report);

        return (context.Response.ContentType, Encoding.UTF8.GetString(body.ToArray()));
    }
}
