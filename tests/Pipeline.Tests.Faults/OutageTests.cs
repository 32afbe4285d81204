using System.Diagnostics;
using System.Net;
using Pipeline.Contracts;
using Pipeline.Tests.Faults.Infrastructure;

namespace Pipeline.Tests.Faults;

/// <summary>
/// The broker, then the database, disappear for 20 s while images are in flight. The worker says so on
/// /health/ready, retries with backoff, reconnects when they return, and every image still ends complete — while its
/// most talkative log (Debug) never shows a password or an account key.
/// </summary>
public sealed class OutageTests(FaultServices services)
{
    private const int ImagesPerPhase = 150;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task BrokerThenDatabaseDownTwentySecondsEachMidRunEndsCompleteAndNoSecretIsLogged()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await FaultRun.StartAsync(services, "outage", cancellationToken);
        var worker = run.StartWorker(new Dictionary<string, string>
        {
            // As talkative as the worker gets, libraries included: where a connection string would show.
            ["Logging__LogLevel__Default"] = "Debug",
            ["Logging__LogLevel__MassTransit"] = "Debug",
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Debug",
            // Retries span about 50 s (the shipped policy spans 75–150 s), so a 20 s outage ends within them.
            ["Batching__RetryLimit"] = "15",
            ["Batching__RetryMaxDelayMs"] = "4000",
        });
        await worker.WaitUntilReadyAsync(cancellationToken);
        var pictures = Pictures.Distinct(20, 32, 24);
        var ids = new List<string>();

        async Task<List<string>> AnnounceAsync(string phase)
        {
            var messages = Enumerable.Range(0, ImagesPerPhase)
                .Select(i => new ImageUploaded($"{phase}-{i:D3}", "owner-outage", ImageSource.Inline(pictures[i % pictures.Count])))
                .ToList();
            await run.PublishAsync(messages.Select(Broker.Json), cancellationToken);
            ids.AddRange(messages.Select(m => m.ImageId));
            // Under way: some answered, most still queued or in flight when the dependency goes.
            await run.Events.WaitForImagesAsync(ids.Count - ImagesPerPhase + 10, TimeSpan.FromSeconds(60), cancellationToken);
            return messages.Select(m => m.ImageId).ToList();
        }

        var report = new List<string>();
        async Task OutageAsync(string dependency, Func<Task> stop, Func<Task> start)
        {
            var down = Stopwatch.StartNew();
            await stop();
            var noticed = await worker.WaitForReadyStatusAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(15), cancellationToken);
            var answeredWhileDown = run.Events.DistinctImages;
            await Task.Delay(Outage - down.Elapsed, cancellationToken);
            await start();
            var back = down.Elapsed;
            var ready = await worker.WaitForReadyStatusAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(60), cancellationToken);
            report.Add($"{dependency}: down {back.TotalSeconds:F1} s, /health/ready 503 after {noticed.TotalSeconds:F1} s " +
                $"and 200 again {ready.TotalSeconds:F1} s after it returned ({answeredWhileDown} images answered when it went)");
        }

        var brokerPhase = await AnnounceAsync("broker");
        await OutageAsync("RabbitMQ", () => services.RabbitMq.KillAsync(cancellationToken), () => services.RabbitMq.StartAgainAsync(cancellationToken));
        await run.Events.WaitForAllAsync(brokerPhase, TimeSpan.FromSeconds(120), cancellationToken);

        var databasePhase = await AnnounceAsync("database");
        await OutageAsync("Postgres", () => services.Postgres.StopAsync(cancellationToken), () => services.Postgres.StartAgainAsync(cancellationToken));
        await run.Events.WaitForAllAsync(databasePhase, TimeSpan.FromSeconds(120), cancellationToken);

        var rows = await run.RowsAsync(cancellationToken);
        var duplicates = Completeness.AssertEveryImageFinishedOnce(ids, rows, run.Events, withCaptions: true);
        Assert.Equal(0u, await Broker.ReadyCountAsync(run.Rabbit, run.Queue + "_error", cancellationToken));
        Assert.True(worker.HasExited is false, "the worker did not survive the outages");

        var log = run.WorkerLines.ToList();
        // Both outages were seen and logged, with their exceptions (so a secret had every chance to show)...
        Assert.Contains(log, line => line.Contains("warn: MassTransit", StringComparison.Ordinal));
        Assert.Contains(log, line => line.Contains("fail: Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
        // ...and no password or key is in any line.
        var accountKey = services.Blobs.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];
        foreach (var (secret, what) in new[] { (services.Postgres.Password, "Postgres password"), (services.RabbitMq.Password, "RabbitMQ password"), (accountKey, "blob account key") })
        {
            Assert.False(log.Any(line => line.Contains(secret, StringComparison.Ordinal)), $"the worker logged the {what}");
        }

        foreach (var line in report.Append($"{ids.Count} images complete, {duplicates} duplicate events, {log.Count} log lines checked for secrets"))
        {
            TestContext.Current.TestOutputHelper?.WriteLine(line);
        }
    }
}
