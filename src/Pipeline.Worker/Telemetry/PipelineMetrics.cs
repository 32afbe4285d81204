using System.Diagnostics.Metrics;

namespace Pipeline.Worker.Telemetry;

/// <summary>The worker's instruments (meter <c>Pipeline.Worker</c>), created through the host's meter factory.</summary>
public sealed class PipelineMetrics
{
    public const string MeterName = "Pipeline.Worker";

    private readonly Histogram<int> _batchSize;
    private readonly Histogram<int> _inferenceBatchSize;
    private readonly Counter<long> _described;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _announced;

    public PipelineMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _batchSize = meter.CreateHistogram<int>("pipeline.batch.size", "{message}", "Messages per consumed batch.");
        _inferenceBatchSize = meter.CreateHistogram<int>("pipeline.inference.batch.size", "{image}", "Images per model forward pass.");
        _described = meter.CreateCounter<long>("pipeline.images.described", "{image}", "Images described.");
        _failed = meter.CreateCounter<long>("pipeline.images.failed", "{image}", "Images failed, by reason.");
        _announced = meter.CreateCounter<long>("pipeline.watch.announced", "{blob}", "Blobs the watcher announced, by container.");
    }

    public void RecordBatch(int size) => _batchSize.Record(size);

    public void RecordInferenceBatch(int size) => _inferenceBatchSize.Record(size);

    public void RecordDescribed() => _described.Add(1);

    public void RecordFailure(string reason) => _failed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void RecordAnnounced(string container, int count) => _announced.Add(count, new KeyValuePair<string, object?>("container", container));
}
