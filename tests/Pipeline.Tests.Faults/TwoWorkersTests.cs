using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Pipeline.Contracts;
using Pipeline.Storage.Entities;
using Pipeline.Tests.Faults.Infrastructure;

namespace Pipeline.Tests.Faults;

/// <summary>
/// Scaling out: two worker processes on one queue and one database share the images — each takes some, as its log
/// and its <c>/metrics</c> say — and every image is still described exactly once: one row, one event.
/// </summary>
public sealed partial class TwoWorkersTests(FaultServices services)
{
    private const int Images = 40;

    [Fact]
    public async Task TwoWorkerProcessesOnOneQueueShareTheImagesAndDescribeEachExactlyOnce()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await FaultRun.StartAsync(services, "two-workers", cancellationToken);
        // One migrates the new database first: two workers applying migrations at once would race (as operators run
        // `pipeline migrate` once, the second comes up on a migrated database).
        var first = run.StartWorker();
        await first.WaitUntilReadyAsync(cancellationToken);
        var second = run.StartWorker(new Dictionary<string, string> { ["Database__MigrateOnStartup"] = "false" });
        await second.WaitUntilReadyAsync(cancellationToken);
        var workers = new[] { first, second };
        var messages = Enumerable.Range(0, Images)
            .Select(i => new ImageUploaded($"two-workers-{i:D2}", "owner-two-workers", ImageSource.Inline(Pictures.Encode(320, 240, i))))
            .ToList();
        var ids = messages.Select(m => m.ImageId).ToList();

        var watch = Stopwatch.StartNew();
        await run.PublishAsync(messages.Select(Broker.Json), cancellationToken);
        await run.Events.WaitForAllAsync(ids, TimeSpan.FromSeconds(60), cancellationToken);
        var elapsed = watch.Elapsed;
        // A second event for an image would come from a second worker's work on it: give one time to show up.
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);

        var rows = await run.RowsAsync(cancellationToken);
        Assert.Equal(0, Completeness.AssertEveryImageFinishedOnce(ids, rows, run.Events, withCaptions: true));
        Assert.All(rows.Values, row => Assert.Equal(ImageStatus.Described, row.Status));

        var described = new List<double>();
        var written = new List<int>();
        foreach (var worker in workers)
        {
            described.Add(PrometheusText.Sum(await worker.GetStringAsync("/metrics", cancellationToken), "pipeline_images_described_total"));
            written.Add(worker.Lines.Select(line => BatchLine().Match(line)).Where(m => m.Success)
                .Sum(m => int.Parse(m.Groups["written"].Value, CultureInfo.InvariantCulture)));
        }

        var shares = string.Join(" + ", written);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{Images} images in {elapsed.TotalSeconds:F1} s: written {shares} by the two workers' logs, described {string.Join(" + ", described)} by their /metrics");
        Assert.All(written, share => Assert.True(share > 0, $"one worker took no image: {shares}"));
        Assert.Equal(Images, written.Sum());
        Assert.Equal(written.Select(w => (double)w), described);
    }

    [GeneratedRegex(@"Batch of \d+ messages: (?<written>\d+) images written")]
    private static partial Regex BatchLine();
}
