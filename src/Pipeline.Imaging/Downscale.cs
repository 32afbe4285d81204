namespace Pipeline.Imaging;

/// <summary>The max-side / min-side downscale rule.</summary>
internal static class Downscale
{
    public static float Factor(int width, int height, int maxSide, int minSide)
    {
        var longSide = Math.Max(width, height);
        var shortSide = Math.Min(width, height);
        var scale = Math.Min(1f, (float)maxSide / longSide);
        if (shortSide * scale < minSide)
        {
            scale = Math.Min(1f, (float)minSide / shortSide);
        }

        return scale;
    }

    public static (int Width, int Height) Size(int width, int height, float scale) =>
        scale >= 1f
            ? (width, height)
            : (Math.Max(1, (int)MathF.Round(width * scale)), Math.Max(1, (int)MathF.Round(height * scale)));
}
