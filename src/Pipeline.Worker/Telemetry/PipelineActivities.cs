using System.Diagnostics;
using MassTransit;
using MassTransit.Logging;

namespace Pipeline.Worker.Telemetry;

/// <summary>
/// The worker's spans (ActivitySource <c>Pipeline.Worker</c>). Each image has its own trace, the producer's: an
/// <c>image</c> span whose parent is the message's propagated context, with <c>fetch</c>, <c>decode</c>,
/// <c>inference</c>, <c>persist</c> and <c>publish</c> under it (MassTransit's send of the result event under
/// <c>publish</c>, so the event carries the trace on). Work shared by several images has one span of its own that
/// links to each image: <c>batch</c> (the consumed batch, where its SQL runs) and <c>inference pass</c> (one run of the
/// models over images of any batches, with <c>embed</c>, <c>caption</c>, <c>ocr</c> under it).
/// </summary>
public static class PipelineActivities
{
    public const string SourceName = PipelineMetrics.MeterName;

    /// <summary>The W3C header a producer without MassTransit sets (and that result events carry for such consumers).</summary>
    public const string TraceParentHeader = "traceparent";

    public const string TraceStateHeader = "tracestate";

    public const string ImageIdTag = "pipeline.image.id";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// The producer's trace context from a message's transport headers: MassTransit's <c>MT-Activity-Id</c> (a W3C
    /// traceparent value), else a plain <c>traceparent</c>/<c>tracestate</c>; none when the producer traced nothing.
    /// </summary>
    public static ActivityContext ProducerContext(Headers headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var traceState = headers.Get<string>(TraceStateHeader);
        foreach (var name in new[] { DiagnosticHeaders.ActivityId, TraceParentHeader })
        {
            if (headers.Get<string>(name) is { Length: > 0 } value && ActivityContext.TryParse(value, traceState, isRemote: true, out var context))
            {
                return context;
            }
        }

        return default;
    }

    /// <summary>One consumed batch, linked to the trace of each of its messages; the current span from here on.</summary>
    public static Activity? StartBatch(IReadOnlyCollection<ActivityContext> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var links = messages.Where(m => m != default).Select(m => new ActivityLink(m));
        var batch = Source.StartActivity("batch", ActivityKind.Internal, parentContext: default, links: links);
        batch?.SetTag("messaging.batch.message_count", messages.Count);
        return batch;
    }

    /// <summary>One run of the models over images of any batches, linked to each image's trace (<paramref name="images"/>).</summary>
    public static Activity? StartInferencePass(IReadOnlyCollection<Activity?> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var links = images.OfType<Activity>().Select(trace => new ActivityLink(trace.Context));
        var pass = Source.StartActivity("inference pass", ActivityKind.Internal, parentContext: default, links: links);
        pass?.SetTag("pipeline.inference.batch_size", images.Count);
        return pass;
    }

    /// <summary>A model's forward pass inside the current <c>inference pass</c>.</summary>
    public static Activity? StartModel(string stage) => Source.StartActivity(stage);

    /// <summary>
    /// One image, in the trace its producer started (a trace of its own when the message carried none), linked to its
    /// batch. It does not become the current span: the batch's own work goes on under the batch.
    /// </summary>
    public static Activity? StartImage(string imageId, ActivityContext producer, Activity? batch) => Aside(() =>
    {
        if (producer == default)
        {
            // No parent given means "the current span": cleared, the image starts a trace rather than join the batch's.
            Activity.Current = null;
        }

        var image = Source.StartActivity("image", ActivityKind.Consumer, producer, links: Links(batch));
        image?.SetTag(ImageIdTag, imageId);
        return image;
    });

    /// <summary>A step of one image, under its <c>image</c> span; the current span, so what it calls nests below.</summary>
    public static Activity? StartStage(string name, Activity? image) =>
        Source.StartActivity(name, ActivityKind.Internal, image?.Context ?? default);

    /// <summary>
    /// The same step for each of <paramref name="images"/>, done together by <paramref name="shared"/> (linked); none
    /// becomes the current span, so the shared work itself stays under <paramref name="shared"/>.
    /// </summary>
    public static List<Activity?> StartStages(string name, IEnumerable<Activity?> images, Activity? shared) => Aside(() =>
        images.Select(image => Source.StartActivity(name, ActivityKind.Internal, image?.Context ?? default, links: Links(shared))).ToList());

    /// <summary>Marks the span failed with <paramref name="exception"/> as its error, as the semantic conventions ask.</summary>
    public static void Fail(Activity? activity, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        activity?.AddException(exception).SetStatus(ActivityStatusCode.Error, exception.Message).SetTag("error.type", exception.GetType().FullName);
    }

    private static ActivityLink[]? Links(Activity? shared) => shared is null ? null : [new ActivityLink(shared.Context)];

    /// <summary>Starting a span makes it current; for spans started on the side, the caller's current span is put back.</summary>
    private static T Aside<T>(Func<T> start)
    {
        var current = Activity.Current;
        try
        {
            return start();
        }
        finally
        {
            Activity.Current = current;
        }
    }
}
