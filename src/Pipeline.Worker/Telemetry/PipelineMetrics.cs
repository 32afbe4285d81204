using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pipeline.Worker.Telemetry;

/// <summary>
/// The worker's instruments (meter <c>Pipeline.Worker</c>), created through the host's meter factory. Images per second
/// is the rate of <c>pipeline.images.described</c>; there is no separate gauge, so every scraper computes it alike.
/// </summary>
public sealed class PipelineMetrics
{
    public const string MeterName = "Pipeline.Worker";

    // Seconds-valued histograms say where their buckets lie: the SDK's defaults are made for milliseconds.
    private static readonly double[] StageSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    private static readonly double[] QueueSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
    private static readonly double[] LoadSeconds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
    private static readonly int[] BatchSizes = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64];

    private readonly Histogram<int> _batchSize;
    private readonly Histogram<int> _inferenceBatchSize;
    private readonly Counter<long> _described;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _announced;
    private readonly Counter<long> _batchFaults;
    private readonly Histogram<double> _stageDuration;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _modelLoad;

    public PipelineMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        var sizes = new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchSizes };
        _batchSize = meter.CreateHistogram("pipeline.batch.size", "{message}", "Messages per consumed batch.", advice: sizes);
        _inferenceBatchSize = meter.CreateHistogram("pipeline.inference.batch.size", "{image}", "Images per model forward pass.", advice: sizes);
        _described = meter.CreateCounter<long>("pipeline.images.described", "{image}", "Images described.");
        _failed = meter.CreateCounter<long>("pipeline.images.failed", "{image}", "Images failed, by reason.");
        _announced = meter.CreateCounter<long>("pipeline.watch.announced", "{blob}", "Blobs the watcher announced, by container.");
        _batchFaults = meter.CreateCounter<long>(
            "pipeline.batches.failed", "{batch}", "Consumed batch attempts that hit an infrastructure fault (retried, then parked), by exception type.");
        _stageDuration = meter.CreateHistogram(
            "pipeline.stage.duration", "s", "How long each stage took for an image; a shared forward pass counts whole for each of its images.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StageSeconds });
        _queueWait = meter.CreateHistogram(
            "pipeline.queue.wait", "s", "From the producer's send to the worker's start on the message's batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = QueueSeconds });
        _modelLoad = meter.CreateHistogram(
            "pipeline.model.load.duration", "s", "How long loading a model took at start-up, by model.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LoadSeconds });
    }

    public void RecordBatch(int size) => _batchSize.Record(size);

    public void RecordInferenceBatch(int size) => _inferenceBatchSize.Record(size);

    public void RecordDescribed() => _described.Add(1);

    public void RecordFailure(string reason) => _failed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void RecordAnnounced(string container, int count) => _announced.Add(count, new KeyValuePair<string, object?>("container", container));

    public void RecordBatchFault(Exception exception) =>
        _batchFaults.Add(1, new KeyValuePair<string, object?>("error.type", exception.GetType().FullName));

    /// <summary>Every stage timing of one image (<c>TimingsMs</c>: milliseconds, as stored and published).</summary>
    public void RecordStages(IReadOnlyDictionary<string, double> timingsMs)
    {
        foreach (var (stage, ms) in timingsMs)
        {
            _stageDuration.Record(ms / 1000, new KeyValuePair<string, object?>("stage", stage));
        }
    }

    /// <summary>Clock skew between producer and worker can make a wait look negative; it is then taken as none.</summary>
    public void RecordQueueWait(TimeSpan wait) => _queueWait.Record(Math.Max(0, wait.TotalSeconds));

    /// <summary>Creates a model through <paramref name="load"/> and records how long that took under <paramref name="model"/>.</summary>
    public T TimeModelLoad<T>(string model, Func<T> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        var started = Stopwatch.GetTimestamp();
        var loaded = load();
        _modelLoad.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("model", model));
        return loaded;
    }
}
