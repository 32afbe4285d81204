using System.Diagnostics;
using Pipeline.Worker.Device;

namespace Pipeline.Tests.Unit.Worker.Device;

public sealed class BatchWindowTests
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void WithoutMeasurementsNothingWaits()
    {
        var window = new BatchWindow(5, MaxDelay);

        Assert.Equal(TimeSpan.Zero, window.Delay(1));
    }

    [Fact]
    public void LightLoadGoesAtOnce()
    {
        var window = Measured(gapMs: 2000);

        Assert.Equal(TimeSpan.Zero, window.Delay(1));
        Assert.Equal(TimeSpan.Zero, window.Delay(3));
    }

    [Fact]
    public void WhenTheNextImageIsDueSoonerThanTheSavingAPartialBatchWaitsAtMostTheMaximum()
    {
        // T(1) = 300, T(2) = 350: a second image saves 250 ms of device time; images arrive every 20 ms.
        var window = Measured(gapMs: 20);

        Assert.Equal(MaxDelay, window.Delay(1));
        Assert.True(window.Delay(4) > TimeSpan.Zero);
    }

    [Fact]
    public void AFullBatchNeverWaits()
    {
        var window = Measured(gapMs: 1);

        Assert.Equal(TimeSpan.Zero, window.Delay(5));
    }

    [Fact]
    public void WhenBatchingSavesNothingNothingWaits()
    {
        var window = new BatchWindow(5, MaxDelay);
        window.RecordInference(1, TimeSpan.FromMilliseconds(100));
        window.RecordInference(2, TimeSpan.FromMilliseconds(200));
        Arrivals(window, gapMs: 5);

        Assert.Equal(TimeSpan.Zero, window.Delay(1));
    }

    [Fact]
    public void UnmeasuredSizesAreInterpolated()
    {
        var window = new BatchWindow(5, MaxDelay);
        window.RecordInference(1, TimeSpan.FromMilliseconds(300));
        window.RecordInference(5, TimeSpan.FromMilliseconds(700));

        Assert.Equal(400, window.Estimate(2)!.Value, 6);
        Assert.Equal(600, window.Estimate(4)!.Value, 6);
    }

    private static BatchWindow Measured(double gapMs)
    {
        var window = new BatchWindow(5, MaxDelay);
        window.RecordInference(1, TimeSpan.FromMilliseconds(300));
        window.RecordInference(2, TimeSpan.FromMilliseconds(350));
        window.RecordInference(5, TimeSpan.FromMilliseconds(500));
        Arrivals(window, gapMs);
        return window;
    }

    private static void Arrivals(BatchWindow window, double gapMs)
    {
        var ticks = (long)(gapMs * Stopwatch.Frequency / 1000);
        for (var i = 0; i < 10; i++)
        {
            window.RecordArrival(1, i * ticks);
        }
    }
}
