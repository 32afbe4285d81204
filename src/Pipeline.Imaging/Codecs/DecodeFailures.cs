using System.Text.RegularExpressions;
using Pipeline.Contracts;
using Pipeline.Imaging.Formats;

namespace Pipeline.Imaging.Codecs;

/// <summary>A decoding library's error as the reason and message a producer reads.</summary>
internal static partial class DecodeFailures
{
    // What libjpeg, libpng/libspng, libwebp, libtiff, libheif and ImageMagick say when the data stops early.
    private static readonly string[] EndedEarly =
    [
        "premature end", "truncated", "unexpected end", "end of file", "not enough image data", "read error",
        "insufficient image data", "out of data", "short read", "no more data",
    ];

    public static ImageRejectedException Header(ImageFormat format, byte[] bytes, string libraryMessage) =>
        EndsEarly(libraryMessage) || CutShort.Detect(format, bytes)
            ? new ImageRejectedException(FailureReasons.TruncatedImage, $"The {format.Display} file is truncated: it ends inside its header.")
            : new ImageRejectedException(FailureReasons.CorruptImage, $"The {format.Display} header cannot be read: {FirstLine(libraryMessage)}");

    public static ImageRejectedException Pixels(ImageFormat format, byte[] bytes, string libraryMessage) =>
        EndsEarly(libraryMessage) || CutShort.Detect(format, bytes)
            ? new ImageRejectedException(FailureReasons.TruncatedImage, $"The {format.Display} file is truncated: its data ends before the last row of pixels.")
            : new ImageRejectedException(FailureReasons.CorruptImage, $"The {format.Display} image data is corrupt and cannot be decoded: {FirstLine(libraryMessage)}");

    private static bool EndsEarly(string message) => EndedEarly.Any(e => message.Contains(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>ImageMagick's suffix naming its temporary file and source line: "`/tmp/magick-…' @ error/heic.c/…".</summary>
    [GeneratedRegex(@"\s*`[^`']*'\s*@\s*\S+\s*$")]
    private static partial Regex MagickSource();

    /// <summary>The library's most specific line: libvips stacks "unable to call …" above the loader's own words.</summary>
    private static string FirstLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("unable to", StringComparison.Ordinal) && !l.StartsWith("source: bad seek", StringComparison.Ordinal))
            .ToList();
        var line = MagickSource().Replace(lines.Count > 0 ? lines[^1] : message.Trim(), string.Empty);
        if (line.StartsWith("UnableToReadImageData", StringComparison.Ordinal))
        {
            // ImageMagick's whole message when libjxl stops early; a bare JPEG XL codestream has no length to check.
            line = "the decoder stopped before the last pixel (the file is damaged or cut short)";
        }

        return line.Length > 200 ? line[..200] + "…" : line;
    }
}
