using SkiaSharp;

namespace Pipeline.Tests.Api.Infrastructure;

/// <summary>Pictures made in code for the API tests.</summary>
public static class Pictures
{
    /// <summary>A gradient with a disc, distinct per <paramref name="seed"/>.</summary>
    public static byte[] Photo(int seed, int width = 400, int height = 300, SKEncodedImageFormat format = SKEncodedImageFormat.Png) =>
        TestImages.Encode(
            width, height, SKColor.FromHsv(seed * 47 % 360, 70, 90), SKColor.FromHsv((seed * 47 + 180) % 360, 60, 40), format);

    /// <summary>White words on a red sign, one per line, large enough for the real PP-OCRv4 reader.</summary>
    public static byte[] Sign(params string[] lines)
    {
        using var bitmap = new SKBitmap(640, 140 + 100 * lines.Length);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(190, 20, 30));
            using var typeface = SKTypeface.FromFile("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf");
            using var font = new SKFont(typeface, 64);
            using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true };
            for (var i = 0; i < lines.Length; i++)
            {
                canvas.DrawText(lines[i], 320, 120 + (i * 100), SKTextAlign.Center, font, paint);
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
