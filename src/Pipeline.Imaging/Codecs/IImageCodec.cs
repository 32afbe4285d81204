using Pipeline.Imaging.Formats;
using SkiaSharp;

namespace Pipeline.Imaging.Codecs;

/// <summary>A decoding library, for the formats it is chosen for.</summary>
internal interface IImageCodec
{
    /// <exception cref="ImageRejectedException">The header cannot be read.</exception>
    ImageHeader ReadHeader(ImageFormat format, byte[] bytes);

    /// <summary>
    /// The picture upright (its stored orientation applied), in sRGB, as unpremultiplied RGBA, reduced to
    /// <paramref name="width"/>×<paramref name="height"/> (the upright picture's own proportions, never larger).
    /// </summary>
    /// <exception cref="ImageRejectedException">The pixels cannot be decoded.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while decoding.</exception>
    SKBitmap Decode(ImageFormat format, byte[] bytes, int width, int height, CancellationToken cancellationToken);
}
