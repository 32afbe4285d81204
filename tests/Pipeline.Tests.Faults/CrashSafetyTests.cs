using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Tests.Faults.Infrastructure;

namespace Pipeline.Tests.Faults;

/// <summary>
/// A worker that dies without warning (SIGKILL: power loss, OOM killer) at any point of a batch — fetching,
/// inferring, between the insert's commit and the events, between the events and the ack — loses and duplicates
/// nothing: unacknowledged messages come back, and a redelivered image is answered from its row.
/// </summary>
public sealed class CrashSafetyTests(FaultServices services)
{
    private const int Images = 2_000;
    private const int Kills = 3;

    [Fact]
    public async Task KillingTheWorkerThreeTimesMidRunLeavesEveryImageWithExactlyOneRowAndAnEvent()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var seed = Environment.TickCount;
        var random = new Random(seed);
        await using var run = await FaultRun.StartAsync(services, "crash", cancellationToken);
        // The image embedder alone: what is tested is the bookkeeping, and 2,000 captions would triple the run's time.
        run.Settings["Models__Captioner__Path"] = "";

        // Mostly inline pictures; every 10th from a blob; every 40th a truncated PNG, whose final state is "failed".
        var pictures = Pictures.Distinct(40, 32, 24);
        var blobs = new List<Uri>();
        for (var i = 0; i < 10; i++)
        {
            var blob = run.Container.GetBlobClient($"picture-{i}.png");
            await blob.UploadAsync(new BinaryData(pictures[i]), cancellationToken);
            blobs.Add(blob.Uri);
        }

        var truncated = pictures[0][..(pictures[0].Length / 2)];
        var messages = Enumerable.Range(0, Images)
            .Select(i => new ImageUploaded(
                $"crash-{i:D4}",
                "owner-crash",
                i % 40 == 39 ? ImageSource.Inline(truncated)
                    : i % 10 == 0 ? ImageSource.Blob(blobs[i / 10 % blobs.Count])
                    : ImageSource.Inline(pictures[i % pictures.Count])))
            .ToList();
        await run.PublishAsync(messages.Select(Broker.Json), cancellationToken);

        var watch = Stopwatch.StartNew();
        var killedAt = new List<int>();
        for (var kill = 1; kill <= Kills; kill++)
        {
            // Around a quarter, a half and three quarters of the way, ± 10 %.
            var point = kill * Images / (Kills + 1) + random.Next(-Images / 10, Images / 10);
            var worker = run.StartWorker();
            await run.Events.WaitForImagesAsync(point, TimeSpan.FromSeconds(120), cancellationToken);
            // Anywhere inside a batch, not only right after an event.
            await Task.Delay(random.Next(0, 300), cancellationToken);
            killedAt.Add(run.Events.DistinctImages);
            await worker.KillAsync();
        }

        run.StartWorker();
        var ids = messages.Select(m => m.ImageId).ToList();
        await run.Events.WaitForAllAsync(ids, TimeSpan.FromSeconds(180), cancellationToken);

        var rows = await run.RowsAsync(cancellationToken);
        var duplicates = Completeness.AssertEveryImageFinishedOnce(ids, rows, run.Events, withCaptions: false);
        Assert.Equal(Images / 40, rows.Values.Count(r => r.Reason == FailureReasons.TruncatedImage));
        Assert.Equal(Images - Images / 40, rows.Values.Count(r => r.Reason is null));
        Assert.Equal(0u, await Broker.ReadyCountAsync(run.Rabbit, run.Queue + "_error", cancellationToken));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"seed {seed}: killed with {string.Join(", ", killedAt)} of {Images} images answered; all answered after " +
            $"{watch.Elapsed.TotalSeconds:F1} s; {duplicates} duplicate events (at-least-once), 0 duplicate rows");
    }
}
