using Pipeline.Inference.Ocr;
using SkiaSharp;

namespace Pipeline.Tests.Unit.Ocr;

/// <summary>Real pictures from Debian's python3-skimage through the real PP-OCRv4 weights.</summary>
[Collection(PaddleOcrFixture.Collection)]
public sealed class SamplePhotoTests(PaddleOcrFixture ocr, ITestOutputHelper output)
{
    /// <summary>A photographed textbook page: a heading, a paragraph, a line of code.</summary>
    [Fact]
    public async Task APhotographedPageComesOutLineByLine()
    {
        var lines = await ReadAsync("page.png");

        Assert.Equal("Region-based segmentation", lines[0]);
        Assert.Contains("background. These markers are pixels that we can label", lines);
        Assert.Contains("unambiguously as either object or background. Here,", lines);
        Assert.Contains("histogram of grey values:", lines);
        Assert.Contains(lines, l => l.Contains("Let us first determine markers of the coins", StringComparison.Ordinal));
    }

    /// <summary>A scanned paragraph (Melville), black on white: every line, in order.</summary>
    [Fact]
    public async Task AScannedParagraphComesOutWordForWordInReadingOrder()
    {
        var lines = await ReadAsync("bw_text.png");

        Assert.Equal(
            [
                "Men may seem detestable as joint", "stock-companies and nations; knaves,", "fools, and murderers there may be;",
                "men may have mean and meagre", "faces; but, man, in the ideal, is so", "noble and so sparkling, such a grand",
                "and glowing creature, that over any", "ignominious blemish in him all his", "fellows should run to throw their",
                "costliest robes.",
            ],
            lines);
    }

    [Theory]
    [InlineData("astronaut.png")]
    [InlineData("chelsea.png")]
    [InlineData("coffee.png")]
    public async Task APhotoWithoutTextGivesNoText(string name)
    {
        Assert.Empty(await ReadAsync(name));
    }

    private async Task<List<string>> ReadAsync(string name)
    {
        using var bitmap = SKBitmap.Decode(PaddleOcrFixture.Sample(name));
        var result = (await ocr.Reader.ReadAsync([bitmap], TestContext.Current.CancellationToken))[0];
        output.WriteLine($"{name}: {string.Join(" | ", result.Lines.Select(l => $"{l.Text} ({l.Confidence:F2})"))}");
        return [.. result.Lines.Select(l => l.Text)];
    }
}
