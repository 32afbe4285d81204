using Pipeline.Contracts;
using Pipeline.Imaging;
using SkiaSharp;
using static Pipeline.Testing.DrawnPictures;

namespace Pipeline.Tests.Unit.Imaging;

/// <summary>
/// Pictures that declare far more pixels than their bytes suggest decode at the cost of the output: the 64-megapixel
/// PNGs of a few kilobytes come out at the working size with the right colours, and a decode that runs past its
/// deadline fails alone with <c>decode-timeout</c>. (Memory under a container limit: Faults/HostileInputMemoryTests.)
/// </summary>
public sealed class HostilePictureTests
{
    [Fact]
    public void ABilevelPngDeclaring64MegapixelsDecodesToTheWorkingSizeAsAnEvenGrey()
    {
        var png = HugePngs.Bilevel(8000, 8000);

        using var image = Decoder().Decode(png, TestContext.Current.CancellationToken);

        Assert.True(png.Length < 20_000, $"{png.Length} bytes");
        Assert.Equal((8000, 8000, 1024, 1024), (image.OriginalWidth, image.OriginalHeight, image.Width, image.Height));
        // Stripes of 4 white and 4 black pixels averaged by the reduction.
        var middle = image.Bitmap.GetPixel(512, 512);
        Assert.InRange(middle.Red, 100, 156);
        Assert.Equal(middle.Red, middle.Blue);
    }

    [Fact]
    public void AnRgbPngDeclaring64MegapixelsDecodesToTheWorkingSizeInItsColour()
    {
        var png = HugePngs.Rgb(8000, 8000, 48, 128, 192);

        using var image = Decoder().Decode(png, TestContext.Current.CancellationToken);

        Assert.Equal((1024, 1024), (image.Width, image.Height));
        PixelAssert.Near(new SKColor(48, 128, 192), image.Bitmap.GetPixel(700, 300), tolerance: 1);
    }

    [Fact]
    public void ADecodePastItsDeadlineFailsWithDecodeTimeout()
    {
        var png = HugePngs.Rgb(8000, 8000, 48, 128, 192);

        var error = Assert.Throws<ImageRejectedException>(() =>
            Decoder(new ImagingOptions { DecodeTimeoutMs = 1 }).Decode(png, TestContext.Current.CancellationToken));

        Assert.Equal(FailureReasons.DecodeTimeout, error.Reason);
        Assert.Equal("Decoding the PNG image (8,000×8,000) took longer than 1 ms (Imaging:DecodeTimeoutMs).", error.Message);
    }

    [Fact]
    public void ACallerThatGivesUpIsNotADecodeTimeout()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Decoder().Decode(HugePngs.Rgb(2000, 2000, 1, 2, 3), cancelled.Token));
    }
}
