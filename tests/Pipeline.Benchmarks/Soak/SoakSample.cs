namespace Pipeline.Benchmarks.Soak;

/// <summary>One second of a soak run, as sampled from outside the worker.</summary>
/// <param name="QueueDepth">Messages ready in the input queue (RabbitMQ's passive declare).</param>
/// <param name="Finished">Rows in the database.</param>
/// <param name="ResidentMegabytes">The worker's VmRSS.</param>
/// <param name="PeakMegabytes">The worker's VmHWM.</param>
internal sealed record SoakSample(double Seconds, uint QueueDepth, long Finished, double ResidentMegabytes, double PeakMegabytes);

/// <summary>What a soak run shows: throughput, peak memory, and whether memory grew while the work went on.</summary>
internal sealed record SoakSummary(
    int Images, double Seconds, double ImagesPerSecond, double PeakMegabytes, double FirstQuarterMegabytes, double LastQuarterMegabytes)
{
    /// <summary>Memory counts as grown when the last quarter's mean resident set is this much above the first's.</summary>
    public const double GrowthTolerance = 0.10;

    public double Growth => LastQuarterMegabytes / FirstQuarterMegabytes - 1;

    public bool MemoryGrew => Growth > GrowthTolerance;

    /// <summary>
    /// Over the samples taken while images were being finished (first row to last): throughput, and the mean resident
    /// set of the first and last quarter of that time.
    /// </summary>
    public static SoakSummary From(IReadOnlyList<SoakSample> samples, int images)
    {
        var working = samples.Where(s => s.Finished > 0).ToList();
        var start = working[0];
        var end = working.First(s => s.Finished >= images);
        var during = working.Where(s => s.Seconds <= end.Seconds).ToList();
        var quarter = Math.Max(1, during.Count / 4);
        return new SoakSummary(
            images,
            end.Seconds - start.Seconds,
            (end.Finished - start.Finished) / Math.Max(end.Seconds - start.Seconds, 1e-9),
            samples.Max(s => s.PeakMegabytes),
            during.Take(quarter).Average(s => s.ResidentMegabytes),
            during.TakeLast(quarter).Average(s => s.ResidentMegabytes));
    }
}
