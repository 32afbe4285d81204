using SkiaSharp;

namespace Pipeline.Testing;

/// <summary>Pictures made in code: a gradient and a disc, so each image has its own content.</summary>
public static class TestImages
{
    public static byte[] Encode(int width, int height, SKColor from, SKColor to, SKEncodedImageFormat format, int quality = 90)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var shader = SKShader.CreateLinearGradient(
                new SKPoint(0, 0), new SKPoint(width, height), [from, to], SKShaderTileMode.Clamp);
            using var paint = new SKPaint { Shader = shader };
            canvas.DrawRect(0, 0, width, height, paint);
            using var disc = new SKPaint { Color = SKColors.White, IsAntialias = true };
            canvas.DrawCircle(width / 3f, height / 2f, Math.Min(width, height) / 5f, disc);
        }

        if (format == SKEncodedImageFormat.Bmp)
        {
            return EncodeBmp(bitmap);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>Skia decodes BMP but cannot write it: a 24-bit bottom-up BMP by hand.</summary>
    private static byte[] EncodeBmp(SKBitmap bitmap)
    {
        var rowBytes = (bitmap.Width * 3 + 3) & ~3;
        var pixelBytes = rowBytes * bitmap.Height;
        using var stream = new MemoryStream(54 + pixelBytes);
        using var writer = new BinaryWriter(stream);
        writer.Write((byte)'B');
        writer.Write((byte)'M');
        writer.Write(54 + pixelBytes);
        writer.Write(0);
        writer.Write(54);
        writer.Write(40);
        writer.Write(bitmap.Width);
        writer.Write(bitmap.Height);
        writer.Write((short)1);
        writer.Write((short)24);
        writer.Write(0);
        writer.Write(pixelBytes);
        writer.Write(2835);
        writer.Write(2835);
        writer.Write(0);
        writer.Write(0);
        var row = new byte[rowBytes];
        for (var y = bitmap.Height - 1; y >= 0; y--)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var color = bitmap.GetPixel(x, y);
                row[x * 3] = color.Blue;
                row[x * 3 + 1] = color.Green;
                row[x * 3 + 2] = color.Red;
            }

            writer.Write(row);
        }

        return stream.ToArray();
    }

    /// <summary>A JPEG cut off at 40 %: its header is fine, its pixel data ends early.</summary>
    public static byte[] TruncatedJpeg()
    {
        var whole = Encode(320, 240, SKColors.Orange, SKColors.Purple, SKEncodedImageFormat.Jpeg);
        return whole[..(whole.Length * 2 / 5)];
    }
}
