using System.Text;
using Pipeline.Contracts;
using Pipeline.Imaging;
using static Pipeline.Testing.DrawnPictures;

namespace Pipeline.Tests.Unit.Imaging;

public sealed class ImageDecoderRejectionTests
{
    [Fact]
    public void EmptyFileIsRejectedAsEmpty()
    {
        var error = Reject([]);

        Assert.Equal(FailureReasons.EmptyFile, error.Reason);
        Assert.Contains("empty", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void RandomBytesAreRejectedAsUnrecognized()
    {
        var bytes = new byte[4096];
        new Random(1234).NextBytes(bytes);

        var error = Reject(bytes);

        Assert.Equal(FailureReasons.UnrecognizedFormat, error.Reason);
        Assert.Contains("not a recognised image", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Meeting notes\nBring the photos on Tuesday.\n", "text")]
    [InlineData("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>", "SVG")]
    [InlineData("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF")]
    public void KnownNonImagesAreRejectedAsUnsupportedAndNamed(string content, string named)
    {
        var error = Reject(Encoding.UTF8.GetBytes(content));

        Assert.Equal(FailureReasons.UnsupportedFormat, error.Reason);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JpegCutInHalfIsRejectedAsTruncated()
    {
        using var photo = PhotoLike(256, 256, Red, seed: 1);
        var jpeg = Jpeg(photo);

        var error = Reject(jpeg[..(jpeg.Length / 2)]);

        Assert.Equal(FailureReasons.TruncatedImage, error.Reason);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PngCutInsideImageDataIsRejectedAsTruncated()
    {
        using var photo = PhotoLike(256, 256, Blue, seed: 2);
        var png = Png(photo);
        var (start, length) = HandMadeImages.FindIdat(png);

        var error = Reject(png[..(start + length / 2)]);

        Assert.Equal(FailureReasons.TruncatedImage, error.Reason);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecompressionBombIsRejectedFromItsHeader()
    {
        // IHDR declares 100000×100000 RGB (30 GB decoded); the data is a few bytes.
        var bomb = HandMadeImages.PngWithData(100_000, 100_000, 8, 2, HandMadeImages.ZlibOfZeros(1000));

        var error = Reject(bomb);

        Assert.Equal(FailureReasons.TooManyPixels, error.Reason);
        Assert.Contains("100,000×100,000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SideOverMaxDimensionIsRejectedEvenWithFewPixels()
    {
        using var strip = Solid(1200, 10, Red);

        var error = Reject(Png(strip), new ImagingOptions { MaxDimension = 1000 });

        Assert.Equal(FailureReasons.TooManyPixels, error.Reason);
        Assert.Contains("1,200×10", error.Message, StringComparison.Ordinal);
        Assert.Contains("1,000 per side", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PixelCountOverMaxPixelsIsRejected()
    {
        using var image = Solid(200, 100, Red);

        var error = Reject(Png(image), new ImagingOptions { MaxPixels = 10_000 });

        Assert.Equal(FailureReasons.TooManyPixels, error.Reason);
        Assert.Contains("10,000 in all", error.Message, StringComparison.Ordinal);
    }

    private static ImageRejectedException Reject(byte[] bytes, ImagingOptions? options = null) =>
        Assert.Throws<ImageRejectedException>(() => Decoder(options).Decode(bytes, TestContext.Current.CancellationToken));
}
