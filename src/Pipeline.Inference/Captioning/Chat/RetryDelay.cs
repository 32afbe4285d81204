using System.ClientModel.Primitives;
using System.Globalization;

namespace Pipeline.Inference.Captioning.Chat;

/// <summary>How long to wait before retrying a request the provider turned away.</summary>
internal static class RetryDelay
{
    /// <summary>
    /// The provider's own hint, first the millisecond header OpenAI and Azure send (<c>retry-after-ms</c>), then
    /// <c>Retry-After</c> as seconds or an HTTP date; otherwise an exponential backoff (1, 2, 4 … s) with ±20 % jitter
    /// so that workers throttled together do not return together. Never longer than <paramref name="cap"/>.
    /// </summary>
    public static TimeSpan For(PipelineResponse? response, int attempt, TimeSpan cap, TimeProvider time)
    {
        var hinted = response is null ? null : Hint(response, time);
        var delay = hinted ?? TimeSpan.FromSeconds(Math.Pow(2, attempt) * (0.8 + (0.4 * Random.Shared.NextDouble())));
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > cap ? cap : delay;
    }

    private static TimeSpan? Hint(PipelineResponse response, TimeProvider time)
    {
        if (response.Headers.TryGetValue("retry-after-ms", out var milliseconds)
            && double.TryParse(milliseconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        if (!response.Headers.TryGetValue("Retry-After", out var retryAfter) || retryAfter is null)
        {
            return null;
        }

        if (double.TryParse(retryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(retryAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at - time.GetUtcNow()
            : null;
    }
}
