using Pipeline.Inference.Ocr;

namespace Pipeline.Tests.Unit.Ocr;

/// <summary>The input shapes OCR runs at, free (PaddleOCR's) and bucketed (the default).</summary>
public sealed class InputShapesTests
{
    private static readonly InputShapes Free = InputShapes.From(new OcrOptions { UseShapeBuckets = false });
    private static readonly InputShapes Buckets = InputShapes.From(new OcrOptions());

    [Fact]
    public void FreeShapesArePaddleOcrs()
    {
        // A 12-megapixel 4:3 photo: 960 × 720, and 720 / 32 = 22.5 rounds to even.
        Assert.Equal((new DetectionSize(960, 704), new DetectionSize(960, 704)), Free.Detection(4032, 3024, 960.0 / 4032));
        Assert.Equal(320, Free.LineWidth(300));
        Assert.Equal(384, Free.LineWidth(321));
        Assert.Equal([7], Free.Batches(Enumerable.Range(0, 7), 8).Select(b => b.Length));
    }

    [Fact]
    public void DetectionCanvasesStepDownFromTheLongestSideByAboutAQuarter()
    {
        var sides = Enumerable.Range(1, 960).Select(s => Buckets.Detection(s, s, 1).Canvas.Width).Distinct().Order();

        Assert.Equal([32, 64, 96, 128, 160, 192, 256, 320, 384, 480, 608, 768, 960], sides);
    }

    [Fact]
    public void APhotoIsStretchedToTheNearestCanvasNotPadded()
    {
        // 4:3 at 960: 720 is 6.7 % below 768.
        Assert.Equal((new DetectionSize(960, 768), new DetectionSize(960, 768)), Buckets.Detection(4032, 3024, 960.0 / 4032));
        Assert.Equal((new DetectionSize(768, 960), new DetectionSize(768, 960)), Buckets.Detection(3024, 4032, 960.0 / 4032));
    }

    [Fact]
    public void ASideFarFromEveryCanvasKeepsPaddleOcrsSizeAndIsPadded()
    {
        var coarse = InputShapes.From(new OcrOptions { DetectionBucketRatio = 2 });

        // 16:9 at 960: 540 is 12.5 % above 480, more than a picture is stretched.
        Assert.Equal((new DetectionSize(960, 544), new DetectionSize(960, 960)), coarse.Detection(1920, 1080, 0.5));
    }

    [Fact]
    public void LineWidthsStepUpFrom320ByAQuarter()
    {
        var widths = Enumerable.Range(1, 2000).Select(Buckets.LineWidth).Distinct().Order();

        Assert.Equal([320, 384, 512, 640, 768, 960, 1216, 1536, 1920, 2368], widths);
    }

    [Theory]
    [InlineData(7, 8, new[] { 4, 2, 1 })]
    [InlineData(13, 8, new[] { 8, 4, 1 })]
    [InlineData(16, 8, new[] { 8, 8 })]
    [InlineData(7, 5, new[] { 5, 2 })]
    [InlineData(5, int.MaxValue, new[] { 4, 1 })]
    public void BatchesSplitIntoTheConfiguredSizeAndPowersOfTwoWithNothingBlank(int items, int max, int[] expected)
    {
        var batches = Buckets.Batches(Enumerable.Range(0, items), max).ToList();

        Assert.Equal(expected, batches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, items), batches.SelectMany(b => b));
    }
}
