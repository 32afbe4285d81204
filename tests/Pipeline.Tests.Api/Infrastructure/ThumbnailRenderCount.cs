using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Api.Hosting;

namespace Pipeline.Tests.Api.Infrastructure;

/// <summary>
/// Counts one API's <c>pipeline.thumbnails.renders</c> by outcome. Only that API's meter is heard (its meter
/// factory), not the other tests' APIs in the same process.
/// </summary>
public sealed class ThumbnailRenderCount : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _byOutcome = new(StringComparer.Ordinal);

    public ThumbnailRenderCount(IServiceProvider api)
    {
        var meters = api.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Meter.Name == ApiMetrics.MeterName && instrument.Name == "pipeline.thumbnails.renders")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    _byOutcome.AddOrUpdate((string)tag.Value!, value, (_, sum) => sum + value);
                }
            }
        });
        _listener.Start();
    }

    public long this[string outcome] => _byOutcome.GetValueOrDefault(outcome);

    public long Total => _byOutcome.Values.Sum();

    public void Dispose() => _listener.Dispose();
}
