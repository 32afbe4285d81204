using Pipeline.Storage.Entities;
using Pipeline.Tests.Faults.Infrastructure;

namespace Pipeline.Tests.Faults.BadInput;

/// <summary>
/// The corpus through a real worker process with every model (stand-in CLIP and captioner, the real OCR): each bad
/// input fails with its own reason and a readable message, costing its batch neighbours nothing; each odd but valid
/// picture is described; unkeyable messages are parked in _error; the worker's memory stays bounded.
/// </summary>
public sealed class BadInputCorpusTests(FaultServices services)
{
    /// <summary>
    /// How far the corpus may raise the worker's peak resident memory over its peak on ordinary pictures. Decoding the
    /// declared 100000×100000 PNG would take 40 GB. Measured +130–160 MB, most of it the 12000×200 panorama's
    /// bitmaps and CLIP's 13440×224 resize (about 35 MB) and the 5 MB inline message's JSON (about 17 MB) while other
    /// batches are in flight (docs/GUARANTEES.md).
    /// </summary>
    private const double MaxGrowthMegabytes = 200;

    /// <summary>
    /// The managed heap cap a container's memory limit would give the worker (.NET takes 75 % of it). Without one the
    /// workstation GC lets 100–150 MB of already dead JSON and byte copies pile up before it collects, which varies
    /// from run to run (+245–305 MB in all) and says nothing about what a bad input costs.
    /// </summary>
    private const string HeapHardLimit = "0xC000000"; // 192 MiB

    [Fact]
    public async Task EachBadInputFailsAloneWithItsOwnReasonAndEachOddPictureIsDescribed()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await FaultRun.StartAsync(services, "corpus", cancellationToken);
        var cases = await Corpus.BuildAsync(run.Container, cancellationToken);
        // Three good pictures after each case: any four consecutive messages (a full batch) hold at most one case.
        var messages = cases
            .SelectMany((c, i) => new[] { c }.Concat(Enumerable.Range(0, 3).Select(k => Corpus.Neighbour($"{c.Name}-neighbour-{k}", 3 * i + k))))
            .ToList();

        var worker = run.StartWorker(new Dictionary<string, string>
        {
            ["Ocr__Path"] = FaultServices.OcrFolder,
            ["Batching__MaxBatchSize"] = "4",
            // Batches fill up to four from the queue rather than leave early.
            ["Batching__TimeLimitMs"] = "1000",
            ["DOTNET_GCHeapHardLimit"] = HeapHardLimit,
        });
        await worker.WaitUntilReadyAsync(cancellationToken);
        // Good pictures first, so that the models' buffers have grown to their working size before the corpus comes.
        var warmUp = Enumerable.Range(0, 16).Select(i => Corpus.Neighbour($"warm-up-{i}", 1000 + i)).ToList();
        await run.PublishAsync(warmUp.Select(m => m.Body), cancellationToken);
        await run.Events.WaitForAllAsync(warmUp.Select(m => m.ImageId!).ToList(), TimeSpan.FromSeconds(120), cancellationToken);
        var warm = worker.Memory()!.Value;
        await run.PublishAsync(messages.Select(m => m.Body), cancellationToken);

        messages.AddRange(warmUp);
        var keyed = messages.Where(m => !m.Parked).Select(m => m.ImageId!).ToList();
        await run.Events.WaitForAllAsync(keyed, TimeSpan.FromSeconds(240), cancellationToken);
        var peak = worker.Memory()!.Value;
        var rows = await run.RowsAsync(cancellationToken);
        Completeness.AssertEveryImageFinishedOnce(keyed, rows, run.Events, withCaptions: true);

        foreach (var expected in messages.Where(m => !m.Parked))
        {
            var row = rows[expected.ImageId!];
            if (expected.Reason is { } reason)
            {
                Assert.True(row.Reason == reason, $"{expected.Name}: expected {reason}, got {row.Reason} ({row.Message})");
                Assert.Contains(expected.Says!, row.Message, StringComparison.Ordinal);
                Assert.True(
                    rows.Values.Any(r => r.BatchInsert == row.BatchInsert && r.Status == ImageStatus.Described),
                    $"{expected.Name} was not written in a batch with a described neighbour");
            }
            else
            {
                Assert.True(row.Status == ImageStatus.Described, $"{expected.Name}: {row.Reason} ({row.Message})");
                var described = Assert.Single(run.Events.ByImage[expected.ImageId!]).Message;
                Assert.Equal(expected.Size, (described.GetProperty("width").GetInt32(), described.GetProperty("height").GetInt32()));
            }
        }

        var parked = await Broker.DrainAsync(run.Rabbit, run.Queue + "_error", cancellationToken);
        Assert.Equal(cases.Count(c => c.Parked), parked.Count);
        foreach (var expected in cases.Where(c => c.Parked))
        {
            var message = Assert.Single(parked, p => p.Body.Span.SequenceEqual(expected.Body));
            var fault = message.Header("MT-Fault-Message");
            Assert.True(expected.Says is null || fault?.Contains(expected.Says, StringComparison.Ordinal) == true, $"{expected.Name}: fault '{fault}'");
        }

        var growth = peak.PeakResidentMegabytes - warm.PeakResidentMegabytes;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{messages.Count} messages ({cases.Count} cases, each with 3 neighbours, after {warmUp.Count} to warm up): worker peak resident memory " +
            $"{warm.PeakResidentMegabytes:F0} MB after the warm-up, {peak.PeakResidentMegabytes:F0} MB after the corpus (+{growth:F0} MB)");
        Assert.True(growth < MaxGrowthMegabytes, $"the corpus raised the worker's peak from {warm.PeakResidentMegabytes:F0} MB to {peak.PeakResidentMegabytes:F0} MB");
    }
}
