using System.ComponentModel.DataAnnotations;

namespace Pipeline.Imaging;

/// <summary>Limits and downscale settings (section <c>Imaging</c>).</summary>
public sealed class ImagingOptions
{
    public const string Section = "Imaging";

    /// <summary>Largest accepted width × height, read from the header before any pixel is decoded.</summary>
    [Range(1, 1L << 32)]
    public long MaxPixels { get; set; } = 64_000_000;

    /// <summary>Largest accepted width or height, read from the header (decompression bombs declare huge sides).</summary>
    [Range(1, 1_000_000)]
    public int MaxDimension { get; set; } = 30_000;

    /// <summary>
    /// Downscale so that the longer side is at most this many pixels (the original server's <c>halve_rate</c>,
    /// as a target instead of a ratio). Models resize again to their own input; this bounds memory and decode time.
    /// </summary>
    [Range(16, 100_000)]
    public int MaxSide { get; set; } = 1024;

    /// <summary>
    /// Never downscale the shorter side below this (the original's <c>min_size</c>); wins over <see cref="MaxSide"/>
    /// for very long panoramas. Images already smaller are left as they are.
    /// </summary>
    [Range(1, 100_000)]
    public int MinSide { get; set; } = 224;
}
