using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Tests.Faults.Infrastructure;

namespace Pipeline.Tests.Faults;

/// <summary>
/// SIGTERM (a deploy, a scale-down) lets the worker finish the batches it holds — insert, publish, ack — and exit 0;
/// a short Shutdown:TimeoutSeconds is honoured, and what it cuts short comes back to the next worker, never
/// half-written. The slow real OCR model keeps batches in flight long enough to be caught.
/// </summary>
public sealed class GracefulShutdownTests(FaultServices services)
{
    private const int Images = 40;

    [Fact]
    public async Task SigtermFinishesTheBatchesInFlightAndAShortTimeoutIsHonoured()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await FaultRun.StartAsync(services, "sigterm", cancellationToken);
        run.Settings["Ocr__Path"] = FaultServices.OcrFolder;
        var messages = Enumerable.Range(0, Images)
            .Select(i => new ImageUploaded($"sigterm-{i:D2}", "owner-sigterm", ImageSource.Inline(Pictures.Encode(480, 360, i))))
            .ToList();
        await run.PublishAsync(messages.Select(Broker.Json), cancellationToken);

        // 1. Generous timeout: everything the worker took is finished and acknowledged before it exits.
        var first = run.StartWorker(new Dictionary<string, string> { ["Shutdown__TimeoutSeconds"] = "60" });
        await run.Events.WaitForImagesAsync(1, TimeSpan.FromSeconds(120), cancellationToken);
        var rowsAtSignal = (await run.RowsAsync(cancellationToken)).Count;
        var stopping = Stopwatch.StartNew();
        await first.TerminateAsync(cancellationToken);
        var exitCode = await first.WaitForExitAsync(TimeSpan.FromSeconds(70), cancellationToken);
        var stoppedAfter = stopping.Elapsed;

        Assert.Equal(0, exitCode);
        var written = await run.RowsAsync(cancellationToken);
        Assert.True(written.Count > rowsAtSignal, $"no batch was in flight to finish ({rowsAtSignal} rows at SIGTERM, {written.Count} after)");
        // Committed means published: every row's event is out.
        await run.Events.WaitForAllAsync(written.Keys, TimeSpan.FromSeconds(10), cancellationToken);
        // Acknowledged means gone: what was not written is back in the queue, nothing in between.
        Assert.Equal((uint)(messages.Count - written.Count), await Broker.ReadyCountAsync(run.Rabbit, run.Queue, cancellationToken));

        // 2. A 2 s timeout with more work in hand than 2 s can finish (80 images taken at once; the first passes, cold,
        //    take most of the time before the first event, so 40 could be done within 2 s of it): the worker leaves on time.
        var more = Enumerable.Range(Images, 2 * Images)
            .Select(i => new ImageUploaded($"sigterm-{i:D2}", "owner-sigterm", ImageSource.Inline(Pictures.Encode(480, 360, i))))
            .ToList();
        await run.PublishAsync(more.Select(Broker.Json), cancellationToken);
        messages.AddRange(more);
        var second = run.StartWorker(new Dictionary<string, string> { ["Shutdown__TimeoutSeconds"] = "2", ["Batching__MaxBatchSize"] = "10", ["Batching__ConcurrentBatches"] = "7" });
        await run.Events.WaitForImagesAsync(written.Count + 1, TimeSpan.FromSeconds(120), cancellationToken);
        var hurried = Stopwatch.StartNew();
        await second.TerminateAsync(cancellationToken);
        Assert.NotNull(await second.WaitForExitAsync(TimeSpan.FromSeconds(15), cancellationToken));
        var hurriedAfter = hurried.Elapsed;
        Assert.InRange(hurriedAfter, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        var cutShort = messages.Count - (await run.RowsAsync(cancellationToken)).Count;
        Assert.True(cutShort > 0, "the second worker finished everything: nothing was left for the timeout to cut");

        // 3. The next worker finishes the rest: still exactly one row each, and no second event for what step 1 finished.
        run.StartWorker();
        var ids = messages.Select(m => m.ImageId).ToList();
        await run.Events.WaitForAllAsync(ids, TimeSpan.FromSeconds(180), cancellationToken);
        Completeness.AssertEveryImageFinishedOnce(ids, await run.RowsAsync(cancellationToken), run.Events, withCaptions: true);
        Assert.All(written.Keys, id => Assert.Equal(1, run.Events.CountFor(id)));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"SIGTERM with {rowsAtSignal} of {Images} rows written: exit 0 after {stoppedAfter.TotalSeconds:F1} s with {written.Count} written, " +
            $"each published once; with a 2 s timeout the worker left after {hurriedAfter.TotalSeconds:F1} s, {cutShort} images unfinished and redelivered");
    }
}
