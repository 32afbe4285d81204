using System.Diagnostics.Metrics;

namespace Pipeline.Api.Hosting;

/// <summary>The API's own instruments (meter <c>Pipeline.Api</c>), created through the host's meter factory.</summary>
public sealed class ApiMetrics
{
    public const string MeterName = "Pipeline.Api";

    /// <summary>The <c>outcome</c> of a render that stored its thumbnail.</summary>
    public const string Stored = "stored";

    /// <summary>The <c>outcome</c> of a render refused because too many were waiting.</summary>
    public const string Busy = "busy";

    private readonly Counter<long> _thumbnailRenders;

    public ApiMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _thumbnailRenders = meter.CreateCounter<long>(
            "pipeline.thumbnails.renders", "{render}",
            "Thumbnails made from an original, by outcome: stored, busy (refused, too many waiting) or the reason the original was rejected.");
    }

    public void RecordThumbnailRender(string outcome) =>
        _thumbnailRenders.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
