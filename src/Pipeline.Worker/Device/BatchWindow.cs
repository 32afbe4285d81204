namespace Pipeline.Worker.Device;

/// <summary>
/// Decides, while the device is free and fewer images wait than a full batch, whether to wait for more. Waiting pays
/// only when the next image is expected sooner than the device time its joining the batch saves: running n + 1 images
/// together instead of n now and 1 later saves T(n) + T(1) − T(n + 1), with T the measured inference time per batch
/// size. Under light load the next image is seconds away and every image goes at once (latency is the model's own
/// time); under heavy load images pile up while the device is busy and batches leave full without waiting.
/// </summary>
/// <remarks>Not thread-safe: one scheduler loop owns it.</remarks>
internal sealed class BatchWindow(int maxBatchSize, TimeSpan maxDelay)
{
    /// <summary>Weight of the newest observation in the moving averages.</summary>
    private const double Smoothing = 0.2;

    private readonly double?[] _inferenceMs = new double?[maxBatchSize + 1];
    private double? _gapMs;
    private long? _lastArrival;

    /// <summary>Images arrived at <paramref name="timestamp"/> (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
    public void RecordArrival(int images, long timestamp)
    {
        if (_lastArrival is { } last && images > 0)
        {
            var perImage = (timestamp - last) * 1000.0 / System.Diagnostics.Stopwatch.Frequency / images;
            _gapMs = _gapMs is { } gap ? gap + Smoothing * (perImage - gap) : perImage;
        }

        _lastArrival = timestamp;
    }

    public void RecordInference(int batchSize, TimeSpan elapsed)
    {
        var ms = elapsed.TotalMilliseconds;
        _inferenceMs[batchSize] = _inferenceMs[batchSize] is { } known ? known + Smoothing * (ms - known) : ms;
    }

    /// <summary>How long to hold <paramref name="waiting"/> images for more before dispatching; zero means now.</summary>
    public TimeSpan Delay(int waiting)
    {
        if (waiting >= maxBatchSize || _gapMs is not { } gap || Estimate(waiting) is not { } alone
            || Estimate(1) is not { } single || Estimate(waiting + 1) is not { } together)
        {
            return TimeSpan.Zero;
        }

        var saving = alone + single - together;
        return gap < saving ? TimeSpan.FromMilliseconds(Math.Min(saving, maxDelay.TotalMilliseconds)) : TimeSpan.Zero;
    }

    /// <summary>Measured time for <paramref name="size"/>, else interpolated from the nearest measured sizes around it.</summary>
    internal double? Estimate(int size)
    {
        if (_inferenceMs[size] is { } measured)
        {
            return measured;
        }

        var below = Enumerable.Range(1, size - 1).Reverse().FirstOrDefault(s => _inferenceMs[s] is not null);
        var above = Enumerable.Range(size + 1, Math.Max(0, maxBatchSize - size)).FirstOrDefault(s => _inferenceMs[s] is not null);
        return (below, above) switch
        {
            (> 0, > 0) => _inferenceMs[below] + (_inferenceMs[above] - _inferenceMs[below]) * (size - below) / (above - below),
            (> 0, 0) => _inferenceMs[below] * size / below, // no larger batch seen yet: assume no saving, linear cost
            _ => null,
        };
    }
}
