using System.ComponentModel.DataAnnotations;

namespace Pipeline.Imaging;

/// <summary>Limits and downscale settings (section <c>Imaging</c>), for the worker's decode stage and the API's thumbnails.</summary>
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

    /// <summary>
    /// The longest one image may take to decode; past it the image fails with <c>decode-timeout</c> and costs nothing
    /// more (the decoder stops between rows). Wall time: a 64-megapixel HEIC, the largest picture allowed in the
    /// slowest format, takes about 7 s on a free core here, and a worker's cores are shared with the models.
    /// </summary>
    [Range(100, 600_000)]
    public int DecodeTimeoutMs { get; set; } = 30_000;

    /// <summary>How many images may decode at once; 0: one per processor the process may use.</summary>
    [Range(0, 256)]
    public int ConcurrentDecodes { get; set; }

    /// <summary><see cref="ConcurrentDecodes"/> with 0 resolved.</summary>
    public int DecodeSlots => ConcurrentDecodes > 0 ? ConcurrentDecodes : Environment.ProcessorCount;

    /// <summary>
    /// Pixels the process may be decoding at once, over all images (<see cref="Budget.DecodeBudget"/>). The default lets
    /// five 12-megapixel photos decode side by side and one 64-megapixel picture alone. Formats decoded whole (HEIC,
    /// JPEG XL, BMP) hold about 4 bytes per pixel while they decode, so this also bounds their memory.
    /// </summary>
    [Range(1_000_000, 1L << 32)]
    public long MaxDecodingPixels { get; set; } = 64_000_000;

    /// <summary>
    /// How long the worker reuses the downscale settings stored through the API before it reads them again: a change
    /// reaches every worker within this time. 0 reads them for every image.
    /// </summary>
    [Range(0, 600_000)]
    public int StoredSettingsRefreshMs { get; set; } = 5_000;

    /// <summary>
    /// These settings with other working sides (the downscale settings stored through the API): every other limit —
    /// the decode deadline, the pixel budget — stays as configured.
    /// </summary>
    public ImagingOptions WithSides(int maxSide, int minSide)
    {
        var copy = (ImagingOptions)MemberwiseClone();
        (copy.MaxSide, copy.MinSide) = (maxSide, minSide);
        return copy;
    }
}
