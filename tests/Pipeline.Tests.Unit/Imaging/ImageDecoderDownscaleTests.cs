using Pipeline.Imaging;
using static Pipeline.Testing.DrawnPictures;

namespace Pipeline.Tests.Unit.Imaging;

public sealed class ImageDecoderDownscaleTests
{
    [Fact]
    public void LongSideIsBroughtDownToMaxSideKeepingAspect()
    {
        using var source = Halves(4000, 3000, Red, Blue);

        using var image = Decoder(new ImagingOptions { MaxSide = 1024, MinSide = 224 }).Decode(Png(source), TestContext.Current.CancellationToken);

        Assert.Equal((1024, 768), (image.Width, image.Height));
        Assert.Equal((4000, 3000), (image.OriginalWidth, image.OriginalHeight));
        PixelAssert.Near(Red, image.Bitmap, 200, 384, 2);
        PixelAssert.Near(Blue, image.Bitmap, 820, 384, 2);
    }

    [Fact]
    public void PanoramaKeepsItsShortSideAtMinSide()
    {
        // Scaling 12000 to 1024 would leave a 17-pixel-high strip; MinSide wins and 200 < 224 already.
        using var source = Solid(12000, 200, Green);

        using var image = Decoder(new ImagingOptions { MaxSide = 1024, MinSide = 224 }).Decode(Png(source), TestContext.Current.CancellationToken);

        Assert.Equal((12000, 200), (image.Width, image.Height));
    }

    [Fact]
    public void PanoramaIsScaledOnlyDownToMinSide()
    {
        using var source = Solid(8000, 448, Green);

        using var image = Decoder(new ImagingOptions { MaxSide = 1024, MinSide = 224 }).Decode(Png(source), TestContext.Current.CancellationToken);

        Assert.Equal((4000, 224), (image.Width, image.Height));
        Assert.Equal((8000, 448), (image.OriginalWidth, image.OriginalHeight));
    }

    [Fact]
    public void SmallImageIsLeftAsItIs()
    {
        using var source = Quadrants(100, 80, Red, Blue, Green, Yellow);

        using var image = Decoder().Decode(Png(source), TestContext.Current.CancellationToken);

        Assert.Equal((100, 80), (image.Width, image.Height));
        for (var y = 0; y < 80; y += 7)
        {
            for (var x = 0; x < 100; x += 9)
            {
                Assert.Equal(source.GetPixel(x, y), image.Bitmap.GetPixel(x, y));
            }
        }
    }

    [Fact]
    public void LargeJpegDecodesScaledWithRightGeometryAndColour()
    {
        using var source = Halves(4096, 4096, Red, Blue);

        using var image = Decoder(new ImagingOptions { MaxSide = 1024 }).Decode(Jpeg(source, quality: 90), TestContext.Current.CancellationToken);

        Assert.Equal("jpeg", image.Format);
        Assert.Equal((1024, 1024), (image.Width, image.Height));
        Assert.Equal((4096, 4096), (image.OriginalWidth, image.OriginalHeight));
        PixelAssert.Near(Red, image.Bitmap, 250, 512, 10);
        PixelAssert.Near(Blue, image.Bitmap, 770, 512, 10);
    }
}
