using SkiaSharp;

namespace Pipeline.Tests.Unit.Ocr;

/// <summary>
/// Text the recogniser cannot read in its alphabet is counted, not dropped silently: a sign reading "고슴도치 사진" over
/// "Hedgehog photo 2024" (PP-OCRv4's dictionary is Chinese and English) gives the English line and one unread region.
/// </summary>
[Collection(PaddleOcrFixture.Collection)]
public sealed class UnreadTextTests(PaddleOcrFixture ocr)
{
    private const string HangulFont = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf";
    private const string LatinFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

    [Fact]
    public async Task AKoreanLineIsCountedAsUnreadAndTheEnglishLineIsRead()
    {
        using var sign = Sign(("고슴도치 사진", HangulFont), ("Hedgehog photo 2024", LatinFont));

        var result = (await ocr.Reader.ReadAsync([sign], TestContext.Current.CancellationToken))[0];

        Assert.Equal(["Hedgehog photo 2024"], result.Lines.Select(l => l.Text));
        Assert.Equal(1, result.UnreadRegions);
    }

    [Fact]
    public async Task APictureWhoseTextIsAllReadHasNoUnreadRegions()
    {
        using var sign = Sign(("HEDGEHOG", LatinFont), ("CROSSING", LatinFont));

        var result = (await ocr.Reader.ReadAsync([sign], TestContext.Current.CancellationToken))[0];

        Assert.Equal(["HEDGEHOG", "CROSSING"], result.Lines.Select(l => l.Text));
        Assert.Equal(0, result.UnreadRegions);
    }

    private static SKBitmap Sign(params (string Text, string Font)[] lines)
    {
        var bitmap = new SKBitmap(new SKImageInfo(640, 100 + (lines.Length * 90), SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        for (var i = 0; i < lines.Length; i++)
        {
            using var typeface = SKTypeface.FromFile(lines[i].Font)
                ?? throw new InvalidOperationException($"Font {lines[i].Font} is missing (Debian packages fonts-nanum, fonts-dejavu-core; scripts/test.sh installs them).");
            using var font = new SKFont(typeface, 48);
            using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText(lines[i].Text, 40, 90 + (i * 90), SKTextAlign.Left, font, paint);
        }

        return bitmap;
    }
}
