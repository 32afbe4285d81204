using System.Collections.Concurrent;
using System.Diagnostics;

namespace Pipeline.Tests.Integration.Telemetry;

/// <summary>
/// Keeps every span that ends while it listens, from the given sources. Listeners are process-wide and other tests run
/// alongside, so readers pick their spans out by trace id (<see cref="InTrace"/>) or by what links them there.
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _ended = new();

    public SpanRecorder(params string[] sources)
    {
        var names = sources.ToHashSet(StringComparer.Ordinal);
        _listener = new ActivityListener
        {
            ShouldListenTo = source => names.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ended.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyCollection<Activity> Ended => _ended;

    public List<Activity> InTrace(ActivityTraceId traceId) => [.. _ended.Where(a => a.TraceId == traceId)];

    /// <summary>Spans that link into <paramref name="traceId"/>: work shared by several images, wherever its own trace is.</summary>
    public List<Activity> LinkingTo(ActivityTraceId traceId) => [.. _ended.Where(a => a.Links.Any(l => l.Context.TraceId == traceId))];

    /// <summary>The span a link points at, once it has ended.</summary>
    public Activity? Find(ActivitySpanId spanId) => _ended.FirstOrDefault(a => a.SpanId == spanId);

    /// <summary>Waits until <paramref name="done"/> holds for the spans ended so far, or fails saying what it saw.</summary>
    public async Task WaitUntilAsync(Func<bool> done, Func<string> seen, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"After {timeout.TotalSeconds:F0} s ({_ended.Count} spans ended in all) the spans were: {seen()}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _listener.Dispose();
}
