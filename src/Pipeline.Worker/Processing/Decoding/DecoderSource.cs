using Microsoft.Extensions.Options;
using Pipeline.Imaging;
using Pipeline.Storage;

namespace Pipeline.Worker.Processing.Decoding;

/// <summary>
/// The decoder for the downscale settings in force: those stored through the API when there are any, otherwise the
/// <c>Imaging</c> configuration. The stored row is reused for <see cref="ImagingOptions.StoredSettingsRefreshMs"/>
/// (the images decoding side by side when it expires may each read it once: a tiny primary-key read).
/// </summary>
public sealed class DecoderSource(
    DownscaleSettingsStore store,
    IOptions<ImagingOptions> imaging,
    TimeProvider clock)
{
    private readonly ImageDecoder _configured = new(imaging);
    private readonly TimeSpan _refresh = TimeSpan.FromMilliseconds(imaging.Value.StoredSettingsRefreshMs);
    private volatile Cached? _cached;

    public async Task<ImageDecoder> CurrentAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } fresh && clock.GetUtcNow() < fresh.Until)
        {
            return fresh.Decoder;
        }

        var stored = await store.FindAsync(cancellationToken).ConfigureAwait(false);
        var decoder = stored is null
            ? _configured
            : new ImageDecoder(Options.Create(imaging.Value.WithSides(stored.MaxSide, stored.MinSide)));
        _cached = new Cached(decoder, clock.GetUtcNow() + _refresh);
        return decoder;
    }

    private sealed record Cached(ImageDecoder Decoder, DateTimeOffset Until);
}
