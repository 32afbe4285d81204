using Pipeline.Inference.Ocr;
using Pipeline.StandInModels.Ocr;
using SkiaSharp;

namespace Pipeline.Tests.Unit.Ocr;

/// <summary>
/// Text the recogniser cannot read in its alphabet is counted, not dropped silently: a sign reading "고슴도치 사진" over
/// "Hedgehog photo 2024" (PP-OCRv4's dictionary is Chinese and English) gives the English line and one unread region.
/// Another language's set (a recogniser and its dictionary beside the shared detector) reads through the same loader.
/// </summary>
[Collection(PaddleOcrFixture.Collection)]
public sealed class OtherScriptsTests(PaddleOcrFixture ocr)
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

    [Fact]
    public async Task AKoreanSetOfTheSameLayoutReadsWithItsOwnRecogniserAndDictionary()
    {
        using var folder = new TempFolder();
        var shared = Path.Combine(PaddleOcrFixture.RepositoryRoot, "models", "cache", "ppocr-v4");
        foreach (var file in new[] { "ch_PP-OCRv4_det_infer.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx" })
        {
            File.Copy(Path.Combine(shared, file), Path.Combine(folder.Path, file));
        }

        OcrRecognizerStandIn.Write(folder.Path, new OcrRecognizerStandInOptions("korean", Dictionary: "가고도사슴진치하", Reading: "고슴도치"));
        using var reader = new PaddleTextReader(
            new OcrOptions { Path = folder.Path, Language = "korean" }, Pipeline.Tests.Unit.Embeddings.StandInEmbedderFixture.CpuSessions());
        using var sign = Sign(("고슴도치 사진", HangulFont));

        var result = (await reader.ReadAsync([sign], TestContext.Current.CancellationToken))[0];

        // The stand-in reads every line as 고슴도치: the Korean recogniser and its dictionary, not the Chinese ones, read it.
        Assert.Equal(["고슴도치"], result.Lines.Select(l => l.Text));
        Assert.Equal(("stand-in/ppocr-v4-korean", true), (reader.Identity.ModelId, reader.Identity.IsStandIn));
        Assert.Contains("language korean", reader.Settings, StringComparison.Ordinal);
    }

    [Fact]
    public void ALanguageWhoseFilesAreMissingIsRefusedNamingTheFile()
    {
        var shared = Path.Combine(PaddleOcrFixture.RepositoryRoot, "models", "cache", "ppocr-v4");

        var refused = Assert.Throws<Pipeline.Inference.Runtime.ModelNotFoundException>(() =>
            new PaddleTextReader(new OcrOptions { Path = shared, Language = "korean" }, Pipeline.Tests.Unit.Embeddings.StandInEmbedderFixture.CpuSessions()));

        Assert.Contains("has no korean_PP-OCRv4_rec_infer.onnx", refused.Message, StringComparison.Ordinal);
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
