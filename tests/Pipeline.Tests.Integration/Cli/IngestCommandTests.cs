using System.Diagnostics;
using Pipeline.Testing;
using Pipeline.Tests.Integration.Infrastructure;

namespace Pipeline.Tests.Integration.Cli;

/// <summary>
/// <c>pipeline ingest</c> as a person runs it: it says what it skipped and why, takes subfolders with --recursive, exits
/// 1 when an image failed, and warns at once when no worker consumes the queue (exit 4 once it gives up waiting).
/// </summary>
public sealed class IngestCommandTests(PipelineServices services)
{
    [Fact]
    public async Task IngestListsWhatItSkippedTakesSubfoldersWithRecursiveAndExits1WhenAnImageFailed()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        await File.WriteAllBytesAsync(folder.Sub("cat.png"), CliErrorTests.TinyPng(), cancellationToken);
        await File.WriteAllBytesAsync(folder.Sub(".thumbnail.png"), CliErrorTests.TinyPng(), cancellationToken);
        await File.WriteAllTextAsync(folder.Sub("notes.txt"), "not a picture", cancellationToken);
        Directory.CreateDirectory(folder.Sub("holiday"));
        await File.WriteAllBytesAsync(folder.Sub("holiday/beach.png"), CliErrorTests.TinyPng(), cancellationToken);
        var database = await services.CreateDatabaseAsync(cancellationToken);
        await using var worker = await WorkerUnderTest.StartAsync(services, database, 5, cancellationToken);
        var owner = "ingest-" + Guid.NewGuid().ToString("N")[..8];

        var flat = await RunAsync(worker.QueueName, owner, folder.Path);
        var recursive = await RunAsync(worker.QueueName, owner, folder.Path, "--recursive");

        Assert.True(flat.ExitCode == 1, flat.ToString());
        Assert.Contains("Skipped 2:", flat.Output, StringComparison.Ordinal);
        Assert.Contains("  - .thumbnail.png  (hidden file)", flat.Output, StringComparison.Ordinal);
        Assert.Contains("  - holiday/  (a folder: --recursive takes the files below it)", flat.Output, StringComparison.Ordinal);
        // Ids as the API and search show them: without the owner.
        Assert.Contains("✗ notes.txt  ", flat.Output, StringComparison.Ordinal);
        Assert.Contains("1 described, 1 failed, 0 pending after", flat.Output, StringComparison.Ordinal);

        Assert.True(recursive.ExitCode == 1, recursive.ToString());
        Assert.Contains("Skipped 1:", recursive.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("holiday/  (", recursive.Output, StringComparison.Ordinal);
        Assert.Contains("✓ holiday/beach.png", recursive.Output, StringComparison.Ordinal);
        Assert.Contains("2 described, 1 failed, 0 pending after", recursive.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IngestWarnsAtOnceWhenNoWorkerConsumesTheQueueAndExits4WhenItGivesUp()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        await File.WriteAllBytesAsync(folder.Sub("a.png"), CliErrorTests.TinyPng(), cancellationToken);
        await File.WriteAllBytesAsync(folder.Sub("b.png"), CliErrorTests.TinyPng(), cancellationToken);
        var queue = "ingest-unconsumed-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var clock = Stopwatch.StartNew();
            var run = await RunAsync(queue, "nobody", folder.Path, "--timeout", "3");

            Assert.True(run.ExitCode == 4, run.ToString());
            Assert.Equal($"warning: no worker is consuming queue {queue}: the 2 images wait there until one starts (scripts/demo.sh starts one; see README, Running).", run.FirstErrorLine);
            Assert.Contains("0 described, 0 failed, 2 pending after", run.Output, StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        }
        finally
        {
            await services.DeleteQueuesAsync(queue);
        }
    }

    private Task<ProgramRun> RunAsync(string queue, string owner, string folder, params string[] more) => BuiltProgram.Cli.RunAsync(
        new Dictionary<string, string?>
        {
            ["ConnectionStrings__Postgres"] = services.Endpoints.Postgres,
            ["ConnectionStrings__RabbitMq"] = services.Endpoints.RabbitMq,
            ["ConnectionStrings__Blobs"] = services.Endpoints.Blobs,
        },
        ["ingest", folder, "--queue", queue, "--owner", owner, "--container", "ingest-tests", .. more],
        TestContext.Current.CancellationToken);
}
