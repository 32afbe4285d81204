using SkiaSharp;
using static Pipeline.Testing.DrawnPictures;

namespace Pipeline.Tests.Unit.Imaging;

/// <summary>
/// A 40×20 JPEG stored as red | blue over green | yellow, tagged with each EXIF orientation: the decoder must
/// return what a viewer shows. Four colours, not two, so that a mirror cannot pass for a rotation.
/// </summary>
public sealed class ImageDecoderOrientationTests
{
    // Expected upright quarters: top-left, top-right, bottom-left, bottom-right (R red, B blue, G green, Y yellow).
    [Theory]
    [InlineData(1, 40, 20, "RBGY")] // as stored
    [InlineData(2, 40, 20, "BRYG")] // mirrored left-right
    [InlineData(3, 40, 20, "YGBR")] // rotated 180°
    [InlineData(4, 40, 20, "GYRB")] // mirrored top-bottom
    [InlineData(5, 20, 40, "RGBY")] // transposed: stored rows become columns
    [InlineData(6, 20, 40, "GRYB")] // rotated 90° clockwise: red on top, blue at the bottom
    [InlineData(7, 20, 40, "YBGR")] // transverse
    [InlineData(8, 20, 40, "BYRG")] // rotated 90° counter-clockwise: blue on top
    public void AppliesExifOrientation(int orientation, int width, int height, string quarters)
    {
        using var stored = Quadrants(40, 20, Red, Blue, Green, Yellow);
        var jpeg = HandMadeImages.JpegWithOrientation(Jpeg(stored, quality: 100), orientation);

        using var image = Decoder().Decode(jpeg, TestContext.Current.CancellationToken);

        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Equal((width, height), (image.OriginalWidth, image.OriginalHeight));
        var (left, right, top, bottom) = (width / 4, width * 3 / 4, height / 4, height * 3 / 4);
        Assert.Equal(
            quarters,
            string.Concat(
                Name(image.Bitmap.GetPixel(left, top)),
                Name(image.Bitmap.GetPixel(right, top)),
                Name(image.Bitmap.GetPixel(left, bottom)),
                Name(image.Bitmap.GetPixel(right, bottom))));
    }

    [Fact]
    public void OrientedImageIsDownscaledOnItsUprightSides()
    {
        // Stored 3000×1000 and rotated: upright 1000×3000, so MaxSide 1024 applies to the height.
        using var stored = Halves(3000, 1000, Red, Blue);
        var jpeg = HandMadeImages.JpegWithOrientation(Jpeg(stored), 6);

        using var image = Decoder().Decode(jpeg, TestContext.Current.CancellationToken);

        Assert.Equal((1000, 3000), (image.OriginalWidth, image.OriginalHeight));
        Assert.Equal((341, 1024), (image.Width, image.Height));
        PixelAssert.Near(Red, image.Bitmap, 170, 200, 12);
        PixelAssert.Near(Blue, image.Bitmap, 170, 820, 12);
    }

    internal static char Name(SKColor color)
    {
        (char Name, SKColor Color)[] palette = [('R', Red), ('B', Blue), ('G', Green), ('Y', Yellow)];
        return palette.MinBy(p => Math.Abs(p.Color.Red - color.Red) + Math.Abs(p.Color.Green - color.Green) + Math.Abs(p.Color.Blue - color.Blue)).Name;
    }
}
