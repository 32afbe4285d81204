using Pipeline.Contracts;
using Pipeline.Imaging;
using Pipeline.Imaging.Formats;
using SkiaSharp;
using static Pipeline.Testing.DrawnPictures;

namespace Pipeline.Tests.Unit.Imaging;

/// <summary>
/// Pictures as people upload them, in every format the worker reads: described with their size and colours, turned
/// upright by the format's own orientation (EXIF in JPEG, the TIFF tag, HEIF's rotation in AVIF, the JPEG XL header),
/// wide-gamut colours (Display P3, as iPhones store them) converted to sRGB, and damaged files refused alone with a
/// reason and a message that names the format.
/// </summary>
public sealed class PhotoFormatTests
{
    public static TheoryData<string> Formats => new(FormatEncoders.Writable.Select(f => f.Name).Append(ImageFormat.Heic.Name));

    public static TheoryData<string> OrientedFormats => new("jpeg", "tiff", "avif", "jxl");

    public static TheoryData<string> NewFormats => new("tiff", "avif", "jxl", "heic");

    [Theory]
    [MemberData(nameof(Formats))]
    public void EachFormatIsDescribedWithItsSizeAndColours(string name)
    {
        using var image = Decoder().Decode(Encoded(name), TestContext.Current.CancellationToken);

        Assert.Equal(name, image.Format);
        Assert.Equal((64, 48, 64, 48), (image.OriginalWidth, image.OriginalHeight, image.Width, image.Height));
        Assert.Equal("RBGY", Quarters(image));
        PixelAssert.Near(Red, image.Bitmap, 12, 10, name is "png" or "bmp" or "tiff" ? 0 : 24);
    }

    [Theory]
    [MemberData(nameof(OrientedFormats))]
    public void EachFormatIsTurnedUprightByItsOwnOrientation(string name)
    {
        using var stored = DrawnPictures.Quadrants(64, 48, Red, Blue, Green, Yellow);
        var bytes = FormatEncoders.Encode(stored, Format(name), orientation: 6);

        using var image = Decoder().Decode(bytes, TestContext.Current.CancellationToken);

        // Turned 90° clockwise: what was the left column is now the top row.
        Assert.Equal((48, 64), (image.OriginalWidth, image.OriginalHeight));
        Assert.Equal((48, 64), (image.Width, image.Height));
        Assert.Equal("GRYB", Quarters(image));
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpeg")]
    [InlineData("heic")]
    public void DisplayP3PicturesAreConvertedToSrgb(string name)
    {
        // Display P3 (200, 80, 60) is sRGB (216, 69, 50): left as they are, the values would be read as sRGB and shown duller.
        var bytes = name == "heic" ? FormatEncoders.Kept("display-p3.heic") : DisplayP3(name == "png" ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg);

        using var image = Decoder().Decode(bytes, TestContext.Current.CancellationToken);

        PixelAssert.Near(new SKColor(216, 69, 50), image.Bitmap, 32, 24, name == "png" ? 1 : 4);
    }

    [Theory]
    [MemberData(nameof(NewFormats))]
    public void ATruncatedFileIsRefusedNamingItsFormat(string name)
    {
        var whole = Encoded(name);

        var error = Assert.Throws<ImageRejectedException>(() => Decoder().Decode(whole[..(whole.Length / 2)], TestContext.Current.CancellationToken));

        // A bare JPEG XL codestream records no length, so a cut one reads as damaged; the others' layout says where they end.
        Assert.Equal(name == "jxl" ? FailureReasons.CorruptImage : FailureReasons.TruncatedImage, error.Reason);
        Assert.StartsWith($"The {Format(name).Display} ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("@ error/", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NewFormats))]
    public void DamagedDataIsRefusedNamingItsFormat(string name)
    {
        var bytes = Encoded(name);
        // The signature and the first box or header stay; the rest is noise.
        new Random(7).NextBytes(bytes.AsSpan(Math.Min(64, bytes.Length / 4)));

        var error = Assert.Throws<ImageRejectedException>(() => Decoder().Decode(bytes, TestContext.Current.CancellationToken));

        Assert.True(error.Reason is FailureReasons.CorruptImage or FailureReasons.TruncatedImage, $"{error.Reason}: {error.Message}");
        Assert.Contains(Format(name).Display, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NewFormats))]
    public void ThePixelLimitIsReadFromEachFormatsHeader(string name)
    {
        var error = Assert.Throws<ImageRejectedException>(() =>
            Decoder(new ImagingOptions { MaxPixels = 1000 }).Decode(Encoded(name), TestContext.Current.CancellationToken));

        Assert.Equal(FailureReasons.TooManyPixels, error.Reason);
        Assert.Contains("64×48", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATiffWhoseHeaderLiesAboutItsSizeIsRefusedFromTheHeader()
    {
        var tiff = Encoded("tiff");
        // libvips writes little-endian TIFF: tag 256 (ImageWidth) as a SHORT or LONG; make it claim 60,000 pixels.
        var patched = FormatEncoders.TiffClaimingWidth(tiff, 60_000);

        var error = Assert.Throws<ImageRejectedException>(() => Decoder().Decode(patched, TestContext.Current.CancellationToken));

        Assert.Equal(FailureReasons.TooManyPixels, error.Reason);
        Assert.Contains("60,000×48", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("heic")]
    [InlineData("avif")]
    public void AHeifWhoseHeaderLiesAboutItsSizeIsRefusedFromTheHeader(string name)
    {
        var patched = FormatEncoders.HeifClaimingSize(Encoded(name), 50_000, 40_000);

        var error = Assert.Throws<ImageRejectedException>(() => Decoder().Decode(patched, TestContext.Current.CancellationToken));

        Assert.Equal(FailureReasons.TooManyPixels, error.Reason);
        Assert.Contains("50,000×40,000", error.Message, StringComparison.Ordinal);
    }

    private static ImageFormat Format(string name) => ImageFormat.All.Single(f => f.Name == name);

    private static byte[] Encoded(string name)
    {
        if (name == "heic")
        {
            return FormatEncoders.Kept("quadrants.heic");
        }

        using var stored = DrawnPictures.Quadrants(64, 48, Red, Blue, Green, Yellow);
        return FormatEncoders.Encode(stored, Format(name));
    }

    private static string Quarters(DecodedImage image)
    {
        var (w, h) = (image.Width, image.Height);
        return string.Concat(
            ImageDecoderOrientationTests.Name(image.Bitmap.GetPixel(w / 4, h / 4)),
            ImageDecoderOrientationTests.Name(image.Bitmap.GetPixel(w * 3 / 4, h / 4)),
            ImageDecoderOrientationTests.Name(image.Bitmap.GetPixel(w / 4, h * 3 / 4)),
            ImageDecoderOrientationTests.Name(image.Bitmap.GetPixel(w * 3 / 4, h * 3 / 4)));
    }

    /// <summary>64×48 of Display P3 (200, 80, 60), with Skia's Display P3 ICC profile in the file.</summary>
    private static byte[] DisplayP3(SKEncodedImageFormat format)
    {
        var p3 = SKColorSpace.CreateRgb(SKColorSpaceTransferFn.Srgb, SKColorSpaceXyz.DisplayP3);
        using var bitmap = new SKBitmap(new SKImageInfo(64, 48, SKColorType.Rgba8888, SKAlphaType.Unpremul, p3));
        var pixels = bitmap.GetPixelSpan();
        for (var i = 0; i < pixels.Length; i += 4)
        {
            (pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]) = (200, 80, 60, 255);
        }

        return Encode(bitmap, format, 95);
    }
}
