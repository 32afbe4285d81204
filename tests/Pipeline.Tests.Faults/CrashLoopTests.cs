using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Messaging;
using Pipeline.Storage.Entities;
using Pipeline.Tests.Faults.Infrastructure;

namespace Pipeline.Tests.Faults;

/// <summary>
/// A picture that stops the worker process every time it is described (a native crash, the OOM killer) cannot keep a
/// worker in a crash loop: after <c>Batching:CrashLimit</c> deliveries that never finished, it fails with
/// <c>worker-crashed</c> (row and event), its message is parked, the pictures it was batched with are described, and
/// the worker carries on. The crash is the fault tests' own switch (<c>FaultInjection:ExitOnImageId</c>).
/// </summary>
public sealed class CrashLoopTests(FaultServices services)
{
    private const string Poison = "loop-03";

    [Fact]
    public async Task AnImageThatStopsTheWorkerEveryTimeFailsAsWorkerCrashedAfterTheLimitAndItsNeighboursAreDescribed()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await FaultRun.StartAsync(services, "crashloop", cancellationToken);
        run.Settings["DOTNET_ENVIRONMENT"] = FaultInjectionEnvironment;
        run.Settings["FaultInjection__ExitOnImageId"] = Poison;
        run.Settings["Batching__CrashLimit"] = "3";
        var pictures = Pictures.Distinct(10, 48, 36);
        var ids = Enumerable.Range(0, 10).Select(i => $"loop-{i:D2}").ToList();
        await run.PublishAsync(ids.Select((id, i) => Broker.Json(new ImageUploaded(id, "owner-loop", ImageSource.Inline(pictures[i])))), cancellationToken);

        // As a supervisor (Kubernetes, systemd) does: start the worker again whenever it stops.
        var exits = new List<int?>();
        WorkerProcess? worker = null;
        var clock = Stopwatch.StartNew();
        while (!ids.All(run.Events.ByImage.ContainsKey) && clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (worker is null || worker.HasExited)
            {
                if (worker is not null)
                {
                    exits.Add(await worker.WaitForExitAsync(TimeSpan.FromSeconds(10), cancellationToken));
                }

                worker = run.StartWorker();
            }

            await Task.Delay(200, cancellationToken);
        }

        var rows = await run.RowsAsync(cancellationToken);
        Assert.True(ids.All(rows.ContainsKey), $"rows for {rows.Count} of {ids.Count} images after {exits.Count} exits");
        var poisoned = rows[Poison];
        Assert.Equal((ImageStatus.Failed, FailureReasons.WorkerCrashed), (poisoned.Status, poisoned.Reason));
        Assert.Equal("Describing this image stopped the worker 3 times (each time alone after the first); it is not tried again.", poisoned.Message);
        Assert.Equal(FailureReasons.WorkerCrashed, Assert.Single(run.Events.ByImage[Poison]).Reason);
        Assert.All(ids.Where(id => id != Poison), id => Assert.Equal(ImageStatus.Described, rows[id].Status));

        Assert.Equal(3, exits.Count);
        Assert.NotNull(worker);
        Assert.False(worker.HasExited, "the worker stopped again after the image was given up");
        await worker.WaitUntilReadyAsync(cancellationToken);

        var parked = Assert.Single(await Broker.DrainAsync(run.Rabbit, InputQueues.Error(run.Queue), cancellationToken));
        Assert.Equal(ParkedMessages.WorkerCrashed, parked.Header(ParkedMessages.ReasonHeader));
        Assert.Contains(Poison, System.Text.Encoding.UTF8.GetString(parked.Body.Span), StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{ids.Count} images, {exits.Count} worker exits (codes {string.Join(", ", exits)}), all rows after {clock.Elapsed.TotalSeconds:F1} s");
    }

    private const string FaultInjectionEnvironment = "Testing";
}
