using Pipeline.Contracts;
using Pipeline.Storage.Entities;
using Pipeline.Testing;
using Pipeline.Tests.Faults.Infrastructure;
using SkiaSharp;

namespace Pipeline.Tests.Faults;

/// <summary>
/// Pictures that declare 64 megapixels in a few kilobytes cost the worker what their output costs: in a 512 MiB memory
/// cgroup with the managed heap capped at 192 MiB (what a 256 MiB container would give .NET), 20 such PNGs (1-bit and
/// RGB) interleaved with 20 photos all end as one row each, and the worker is never OOM-killed.
/// </summary>
public sealed class HostileInputMemoryTests(FaultServices services)
{
    private const long CgroupLimit = 512L << 20;

    [Fact]
    public async Task SixtyFourMegapixelPngsAmongPhotosEndAsRowsInA512MiBCgroupWithoutAnOomKill()
    {
        Assert.SkipUnless(MemoryCgroup.IsAvailable, "needs root and the cgroup v1 memory controller (/sys/fs/cgroup/memory)");
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await FaultRun.StartAsync(services, "hostile-memory", cancellationToken);
        run.Settings["DOTNET_GCHeapHardLimit"] = "0xC000000";
        var bilevel = HugePngs.Bilevel(8000, 8000);
        var rgb = HugePngs.Rgb(8000, 8000, 48, 128, 192);
        var messages = new List<ImageUploaded>();
        for (var i = 0; i < 20; i++)
        {
            messages.Add(new ImageUploaded($"huge-{i:D2}", "owner-hostile", ImageSource.Inline(i % 2 == 0 ? bilevel : rgb)));
            messages.Add(new ImageUploaded($"photo-{i:D2}", "owner-hostile", ImageSource.Inline(Pictures.Encode(1600, 1200, i, SKEncodedImageFormat.Jpeg))));
        }

        using var cgroup = MemoryCgroup.Create(CgroupLimit);
        var worker = run.StartWorker(cgroup: cgroup);
        try
        {
            await worker.WaitUntilReadyAsync(cancellationToken);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await run.PublishAsync(messages.Select(Broker.Json), cancellationToken);
            await run.Events.WaitForAllAsync(messages.Select(m => m.ImageId).ToList(), TimeSpan.FromMinutes(5), cancellationToken);
            var memory = worker.Memory();

            var rows = await run.RowsAsync(cancellationToken);
            Assert.Equal(messages.Count, rows.Count);
            foreach (var huge in rows.Values.Where(r => r.Id.StartsWith("huge-", StringComparison.Ordinal)))
            {
                Assert.True(huge.Status == ImageStatus.Described, $"{huge.Id}: {huge.Reason} ({huge.Message})");
                Assert.Equal((8000, 8000, 1024, 1024), (huge.Width, huge.Height, huge.ProcessedWidth, huge.ProcessedHeight));
            }

            Assert.All(rows.Values.Where(r => r.Id.StartsWith("photo-", StringComparison.Ordinal)), r => Assert.Equal(ImageStatus.Described, r.Status));
            Assert.False(worker.HasExited, "the worker stopped");
            Assert.Equal(0, cgroup.OomKills);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"20 PNGs of 8000×8000 ({bilevel.Length / 1024} KB 1-bit, {rgb.Length / 1024} KB RGB) and 20 photos of 1600×1200 in {clock.Elapsed.TotalSeconds:F1} s: " +
                $"worker peak RSS {memory?.PeakResidentMegabytes:F0} MB; cgroup peak {cgroup.PeakBytes >> 20} MiB of {CgroupLimit >> 20} MiB " +
                $"(limit reached {cgroup.LimitHits} times, OOM kills {cgroup.OomKills})");
        }
        finally
        {
            await worker.KillAsync();
            await worker.WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }
    }
}
