using SkiaSharp;
using static Pipeline.Testing.DrawnPictures;

namespace Pipeline.Tests.Unit.Imaging;

public sealed class ImageDecoderFormatTests
{
    [Theory]
    [InlineData(SKEncodedImageFormat.Png, "png", 0)]
    [InlineData(SKEncodedImageFormat.Jpeg, "jpeg", 12)]
    [InlineData(SKEncodedImageFormat.Webp, "webp", 12)]
    public void DecodesSkiaEncodedFormatWithSizeAndColours(SKEncodedImageFormat encoding, string format, int tolerance)
    {
        using var source = Halves(64, 48, Red, Blue);

        using var image = Decoder().Decode(Encode(source, encoding), TestContext.Current.CancellationToken);

        Assert.Equal(format, image.Format);
        Assert.Equal((64, 48), (image.Width, image.Height));
        Assert.Equal((64, 48), (image.OriginalWidth, image.OriginalHeight));
        PixelAssert.Near(Red, image.Bitmap, 10, 24, tolerance);
        PixelAssert.Near(Blue, image.Bitmap, 54, 24, tolerance);
    }

    [Fact]
    public void DecodesBmpRowsInTheRightOrder()
    {
        using var source = Quadrants(6, 4, Red, Blue, Green, Yellow);

        using var image = Decoder().Decode(HandMadeImages.Bmp(source), TestContext.Current.CancellationToken);

        Assert.Equal("bmp", image.Format);
        Assert.Equal((6, 4), (image.Width, image.Height));
        PixelAssert.Near(Red, image.Bitmap, 0, 0, 0);
        PixelAssert.Near(Blue, image.Bitmap, 5, 0, 0);
        PixelAssert.Near(Green, image.Bitmap, 0, 3, 0);
        PixelAssert.Near(Yellow, image.Bitmap, 5, 3, 0);
    }

    [Fact]
    public void DecodesFirstFrameOfAnimatedGif()
    {
        var gif = HandMadeImages.AnimatedGif(2, 2, Red, Blue);

        using var image = Decoder().Decode(gif, TestContext.Current.CancellationToken);

        Assert.Equal("gif", image.Format);
        Assert.Equal((2, 2), (image.Width, image.Height));
        for (var y = 0; y < 2; y++)
        {
            for (var x = 0; x < 2; x++)
            {
                PixelAssert.Near(Red, image.Bitmap, x, y, 0);
            }
        }
    }

    [Fact]
    public void HandMadeGifReallyHasTwoFramesOfDifferentColours()
    {
        // Guards the test above: it only proves something if frame 2 exists and is blue.
        using var codec = SKCodec.Create(new SKMemoryStream(HandMadeImages.AnimatedGif(2, 2, Red, Blue)));
        Assert.Equal(2, codec.FrameCount);
        using var second = new SKBitmap(new SKImageInfo(2, 2, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Assert.Equal(SKCodecResult.Success, codec.GetPixels(second.Info, second.GetPixels(), new SKCodecOptions(1)));
        PixelAssert.Near(Blue, second, 1, 1, 0);
    }

    [Fact]
    public void DecodesGrayscalePngAsEqualRgbChannels()
    {
        using var gray = new SKBitmap(new SKImageInfo(8, 8, SKColorType.Gray8, SKAlphaType.Opaque));
        gray.Erase(new SKColor(90, 90, 90));

        using var image = Decoder().Decode(Png(gray), TestContext.Current.CancellationToken);

        Assert.Equal("png", image.Format);
        PixelAssert.Near(new SKColor(90, 90, 90), image.Bitmap, 4, 4, 1);
    }

    [Fact]
    public void Decodes16BitPngToEightBitColours()
    {
        // 16 bits per channel, colour type 2: big-endian samples, 0xC8C8 is 200 in 8 bits.
        var rows = new byte[4 * 4 * 6];
        for (var p = 0; p < 16; p++)
        {
            rows[p * 6] = rows[p * 6 + 1] = 200;
            rows[p * 6 + 2] = rows[p * 6 + 3] = 100;
            rows[p * 6 + 4] = rows[p * 6 + 5] = 50;
        }

        using var image = Decoder().Decode(HandMadeImages.Png(4, 4, 16, 2, rows, 4 * 6), TestContext.Current.CancellationToken);

        PixelAssert.Near(new SKColor(200, 100, 50), image.Bitmap, 2, 2, 1);
    }

    [Fact]
    public void DecodesGrayAlphaPngKeepingGrayAndAlpha()
    {
        // Colour type 4: a gray sample then an alpha sample per pixel.
        var rows = new byte[3 * 3 * 2];
        for (var p = 0; p < 9; p++)
        {
            rows[p * 2] = 180;
            rows[p * 2 + 1] = 128;
        }

        using var image = Decoder().Decode(HandMadeImages.Png(3, 3, 8, 4, rows, 3 * 2), TestContext.Current.CancellationToken);

        var pixel = image.Bitmap.GetPixel(1, 1);
        PixelAssert.Near(new SKColor(180, 180, 180), pixel, 1, "gray+alpha pixel");
        Assert.InRange(pixel.Alpha, 127, 129);
    }
}
