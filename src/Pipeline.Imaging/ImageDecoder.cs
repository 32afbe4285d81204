using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Imaging.Codecs;
using Pipeline.Imaging.Formats;

namespace Pipeline.Imaging;

/// <summary>
/// Turns encoded bytes into an upright, downscaled sRGB bitmap, or rejects them with a specific reason. The format is
/// told from the signature, every limit is checked from the header before a pixel is decoded (so a decompression bomb
/// costs nothing), and decoding costs what the output needs (libvips shrinks on load and streams; see
/// <see cref="VipsCodec"/>), within <see cref="ImagingOptions.DecodeTimeoutMs"/>.
/// </summary>
public sealed class ImageDecoder
{
    private static readonly VipsCodec Vips = new();
    private readonly ImagingOptions _options;
    private readonly MagickCodec _magick;

    public ImageDecoder(IOptions<ImagingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _magick = new MagickCodec(_options);
    }

    /// <summary>The format and size a picture declares, checked against the limits; no pixel is decoded.</summary>
    /// <exception cref="ImageRejectedException">Not a picture this worker describes, or over a limit.</exception>
    public ImageHeader ReadHeader(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0)
        {
            throw new ImageRejectedException(FailureReasons.EmptyFile, "The file is empty (0 bytes).");
        }

        var format = FormatSniffer.Detect(bytes) ?? throw RejectUnrecognised(bytes);
        var header = CodecFor(format).ReadHeader(format, bytes);
        CheckDimensions(header.Width, header.Height);
        return header;
    }

    /// <exception cref="ImageRejectedException">The bytes are not an image this worker can describe.</exception>
    public DecodedImage Decode(byte[] bytes, CancellationToken cancellationToken = default)
    {
        var header = ReadHeader(bytes);
        var scale = Downscale.Factor(header.UprightWidth, header.UprightHeight, _options.MaxSide, _options.MinSide);
        var (width, height) = Downscale.Size(header.UprightWidth, header.UprightHeight, scale);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.DecodeTimeoutMs);
        try
        {
            var bitmap = CodecFor(header.Format).Decode(header.Format, bytes, width, height, deadline.Token);
            return new DecodedImage(bitmap, header.Format.Name, header.UprightWidth, header.UprightHeight);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ImageRejectedException(
                FailureReasons.DecodeTimeout,
                $"Decoding the {header.Format.Display} image ({header.Width:N0}×{header.Height:N0}) took longer than {_options.DecodeTimeoutMs:N0} ms (Imaging:DecodeTimeoutMs).");
        }
    }

    private IImageCodec CodecFor(ImageFormat format) =>
        format == ImageFormat.Heic || format == ImageFormat.JpegXl || format == ImageFormat.Bmp ? _magick : Vips;

    private void CheckDimensions(int width, int height)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ImageRejectedException(FailureReasons.CorruptImage, $"The image declares an invalid size {width}×{height}.");
        }

        if (width > _options.MaxDimension || height > _options.MaxDimension || (long)width * height > _options.MaxPixels)
        {
            throw new ImageRejectedException(
                FailureReasons.TooManyPixels,
                $"The image declares {width:N0}×{height:N0} pixels; the limits are {_options.MaxDimension:N0} per side " +
                $"and {_options.MaxPixels:N0} in all.");
        }
    }

    private static ImageRejectedException RejectUnrecognised(byte[] bytes) =>
        FormatSniffer.DescribeNonImage(bytes) is { } nonImage
            ? new ImageRejectedException(
                FailureReasons.UnsupportedFormat,
                $"The file is {nonImage}, not a picture this worker can describe; send {ImageFormat.Accepted}.")
            : new ImageRejectedException(
                FailureReasons.UnrecognizedFormat,
                $"The file is not a recognised image format (no {ImageFormat.Accepted} signature).");
}
