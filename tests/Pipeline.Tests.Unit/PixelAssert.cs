using SkiaSharp;

namespace Pipeline.Tests.Unit;

internal static class PixelAssert
{
    /// <summary>Each channel within <paramref name="tolerance"/>; lossy formats shift colours a little.</summary>
    public static void Near(SKColor expected, SKColor actual, int tolerance, string where = "")
    {
        var close = Math.Abs(expected.Red - actual.Red) <= tolerance
            && Math.Abs(expected.Green - actual.Green) <= tolerance
            && Math.Abs(expected.Blue - actual.Blue) <= tolerance;
        Assert.True(close, $"{where}: expected about {expected}, got {actual}");
    }

    public static void Near(SKColor expected, SKBitmap bitmap, int x, int y, int tolerance) =>
        Near(expected, bitmap.GetPixel(x, y), tolerance, $"pixel ({x},{y})");
}
