using Pipeline.Imaging.Formats;

namespace Pipeline.Imaging.Codecs;

/// <summary>What a picture's header says, read before a single pixel is decoded.</summary>
/// <param name="Width">Width as stored.</param>
/// <param name="Height">Height as stored.</param>
/// <param name="SwapsAxes">The stored orientation turns the picture a quarter: upright, width and height trade places.</param>
public sealed record ImageHeader(ImageFormat Format, int Width, int Height, bool SwapsAxes)
{
    public int UprightWidth => SwapsAxes ? Height : Width;

    public int UprightHeight => SwapsAxes ? Width : Height;

    public long Pixels => (long)Width * Height;
}
