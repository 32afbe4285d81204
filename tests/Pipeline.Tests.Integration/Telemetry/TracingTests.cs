using System.Diagnostics;
using Pipeline.Tests.Integration.Infrastructure;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Tests.Integration.Telemetry;

/// <summary>
/// One image's trace, as an operator would follow it in a tracing backend: the producer's span, MassTransit's send and
/// receive, the worker's image span with each stage under it, the result event's send and its consumer's receive —
/// all one trace id; the work shared with other images (the consumed batch and its SQL, the inference pass and its
/// models) reached through links.
/// </summary>
public sealed class TracingTests(PipelineServices services)
{
    private const string MassTransit = "MassTransit";
    private static readonly ActivitySource Producer = new("Pipeline.Tests.Producer");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly string[] Stages = ["fetch", "decode", "inference", "persist", "publish"];

    [Fact]
    public async Task OneImageIsTracedFromItsProducerThroughEveryStageToItsResultEventUnderOneTraceId()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var spans = new SpanRecorder(Producer.Name, PipelineActivities.SourceName, MassTransit, "Npgsql");
        await using var run = await PipelineRun.StartAsync(services, 5, cancellationToken, new Dictionary<string, string?>
        {
            ["Models:Captioner:Path"] = services.StandInCaptionerFolder,
            ["Models:Captioner:Variant"] = "fp32",
        });
        var message = (await run.UploadTwelveAsync(cancellationToken))[0];

        ActivityTraceId traceId;
        ActivitySpanId uploadSpanId;
        using (var upload = Producer.StartActivity("upload image", ActivityKind.Producer))
        {
            Assert.NotNull(upload);
            (traceId, uploadSpanId) = (upload.TraceId, upload.SpanId);
            await run.Results.SendAsync(run.Worker.QueueName, [message], cancellationToken);
        }

        await run.Results.WaitForAsync([message.ImageId], 1, Timeout, cancellationToken);
        // The event can arrive before the worker's spans end (they close after the broker confirms) or the collector's.
        await spans.WaitUntilAsync(
            () => spans.InTrace(traceId) is var trace
                && trace.Any(s => s.OperationName == "image")
                && trace.Count(s => s.Source.Name == MassTransit && s.Kind == ActivityKind.Consumer) >= 2,
            () => Describe(spans.InTrace(traceId)),
            Timeout,
            cancellationToken);
        var trace = spans.InTrace(traceId);
        var seen = Describe(trace);
        TestContext.Current.TestOutputHelper?.WriteLine($"trace {traceId}: {seen}");

        // Producer → queue → worker.
        var sent = Assert.Single(trace, s => s.Source.Name == MassTransit && s.Kind == ActivityKind.Producer && s.ParentSpanId == uploadSpanId);
        Assert.Contains(trace, s => s.Source.Name == MassTransit && s.Kind == ActivityKind.Consumer && s.ParentSpanId == sent.SpanId);
        var image = Assert.Single(trace, s => s.Source.Name == PipelineActivities.SourceName && s.OperationName == "image");
        Assert.Equal(sent.SpanId, image.ParentSpanId);
        Assert.Equal(message.ImageId, image.GetTagItem(PipelineActivities.ImageIdTag));

        // Every stage of the image under its image span, in order.
        var stages = Stages.Select(name =>
        {
            var stage = trace.SingleOrDefault(s => s.OperationName == name && s.ParentSpanId == image.SpanId);
            Assert.True(stage is not null, $"no '{name}' span under the image span; the trace holds: {seen}");
            Assert.NotEqual(ActivityStatusCode.Error, stage.Status);
            return stage;
        }).ToList();
        Assert.Equal(stages.OrderBy(s => s.StartTimeUtc).Select(s => s.OperationName), Stages);

        // The result event: MassTransit's send under "publish", and the test's consumer receiving it, still this trace.
        var publish = stages[^1];
        var resultSent = Assert.Single(trace, s => s.Source.Name == MassTransit && s.Kind == ActivityKind.Producer && s.ParentSpanId == publish.SpanId);
        Assert.Contains(trace, s => s.Source.Name == MassTransit && s.Kind == ActivityKind.Consumer && s.ParentSpanId == resultSent.SpanId);
        Assert.True(ActivityContext.TryParse(run.Results.TraceParents[message.ImageId], null, out var header), "the event has no traceparent header");
        Assert.Equal((traceId, publish.SpanId), (header.TraceId, header.SpanId));

        // Shared work, one link away: the consumed batch (linked to the message) runs the SQL; the inference pass
        // (linked to the image) runs the models.
        var persist = stages[3];
        var batch = spans.Find(Assert.Single(persist.Links).Context.SpanId);
        Assert.NotNull(batch);
        Assert.Equal("batch", batch.OperationName);
        Assert.Contains(batch.Links, l => l.Context.SpanId == sent.SpanId);
        Assert.Contains(spans.Ended, s => s.Source.Name == "Npgsql" && s.ParentSpanId == batch.SpanId);

        var inference = stages[2];
        var pass = spans.Find(Assert.Single(inference.Links).Context.SpanId);
        Assert.NotNull(pass);
        Assert.Equal("inference pass", pass.OperationName);
        Assert.Contains(pass.Links, l => l.Context.SpanId == image.SpanId);
        var models = spans.Ended.Where(s => s.ParentSpanId == pass.SpanId).Select(s => s.OperationName).ToHashSet();
        Assert.Superset(new HashSet<string> { "embed", "caption" }, models);
    }

    private static string Describe(List<Activity> trace) =>
        string.Join("; ", trace.OrderBy(s => s.StartTimeUtc).Select(s => $"{s.Source.Name}/{s.OperationName} ({s.Kind}, {s.SpanId} ← {s.ParentSpanId})"));
}
