using Pipeline.Contracts;
using Pipeline.Tests.Faults.Infrastructure;

namespace Pipeline.Tests.Faults.Telemetry;

/// <summary>
/// What Prometheus scrapes from a worker run as operators run it: <c>GET /metrics</c> on its health server, after it
/// has described some images and failed one, names every pipeline instrument with its labels.
/// </summary>
public sealed class MetricsEndpointTests(FaultServices services)
{
    private const int Good = 5;

    [Fact]
    public async Task MetricsEndpointServesEveryPipelineInstrumentWithItsLabels()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await FaultRun.StartAsync(services, "metrics", cancellationToken);
        var worker = run.StartWorker();
        await worker.WaitUntilReadyAsync(cancellationToken);
        var messages = Enumerable.Range(0, Good)
            .Select(i => new ImageUploaded($"metrics-{i}", "owner-metrics", ImageSource.Inline(Pictures.Encode(320, 240, i))))
            .Append(new ImageUploaded("metrics-not-an-image", "owner-metrics", ImageSource.Inline("not a picture"u8.ToArray())))
            .ToList();
        await run.PublishAsync(messages.Select(Broker.Json), cancellationToken);
        await run.Events.WaitForAllAsync(messages.Select(m => m.ImageId).ToList(), TimeSpan.FromSeconds(60), cancellationToken);

        var metrics = await worker.GetStringAsync("/metrics", cancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(metrics);

        Assert.Contains("# TYPE pipeline_images_described_total counter", metrics, StringComparison.Ordinal);
        Assert.Equal(Good, PrometheusText.Sum(metrics, "pipeline_images_described_total"));
        Assert.Equal(1, PrometheusText.Sum(metrics, "pipeline_images_failed_total", $"reason=\"{FailureReasons.UnsupportedFormat}\""));

        Assert.Contains("# TYPE pipeline_stage_duration_seconds histogram", metrics, StringComparison.Ordinal);
        Assert.Equal(messages.Count, PrometheusText.Sum(metrics, "pipeline_stage_duration_seconds_count", "stage=\"fetch\""));
        foreach (var stage in new[] { StageNames.Decode, StageNames.Embed, StageNames.Caption, StageNames.Persist })
        {
            Assert.True(PrometheusText.Sum(metrics, "pipeline_stage_duration_seconds_count", $"stage=\"{stage}\"") >= Good, $"no '{stage}' timings");
        }

        Assert.Contains("# TYPE pipeline_batch_size histogram", metrics, StringComparison.Ordinal);
        Assert.Equal(messages.Count, PrometheusText.Sum(metrics, "pipeline_batch_size_sum"));
        Assert.Equal(Good, PrometheusText.Sum(metrics, "pipeline_inference_batch_size_sum"));

        Assert.Contains("# TYPE pipeline_queue_wait_seconds histogram", metrics, StringComparison.Ordinal);
        Assert.Equal(messages.Count, PrometheusText.Sum(metrics, "pipeline_queue_wait_seconds_count"));

        Assert.Contains("# TYPE pipeline_model_load_duration_seconds histogram", metrics, StringComparison.Ordinal);
        Assert.Equal(1, PrometheusText.Sum(metrics, "pipeline_model_load_duration_seconds_count", "model=\"image-embedder\""));
        Assert.Equal(1, PrometheusText.Sum(metrics, "pipeline_model_load_duration_seconds_count", "model=\"captioner\""));
    }
}
