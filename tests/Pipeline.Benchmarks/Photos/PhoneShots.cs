using System.Diagnostics;
using ImageMagick;
using Pipeline.Testing;
using SkiaSharp;
using VipsImage = NetVips.Image;

namespace Pipeline.Benchmarks.Photos;

/// <summary>
/// A phone-like photo set, made once and kept in <c>.local/bench-photos/</c>: 12-megapixel pictures (4032×3024, the
/// sensor size of most phones) with the fine detail of sensor noise, as a phone writes them — JPEG at quality 92 with
/// EXIF orientation 6 (held upright, stored sideways: 4–5 MB each) and the same pictures as HEIC (Debian's
/// <c>heif-enc</c>, HEVC as iPhones write it) — and, for the decode benchmark, each other format the worker reads.
/// </summary>
internal static class PhoneShots
{
    public const int Width = 4032;
    public const int Height = 3024;

    /// <summary>The formats of the set, each with the tool that writes it.</summary>
    public static readonly string[] Formats = ["jpeg", "heic", "png", "webp", "tiff", "avif", "jxl"];

    /// <summary>The set's files of <paramref name="format"/> (made if missing); empty when nothing here can write that format.</summary>
    public static IReadOnlyList<string> Files(string root, string format, int count)
    {
        var folder = Path.Combine(root, ".local", "bench-photos");
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var jpeg = Path.Combine(folder, $"phone-{i:D2}.jpg");
            if (!File.Exists(jpeg))
            {
                File.WriteAllBytes(jpeg, Draw(seed: 4000 + i));
            }

            var path = format == "jpeg" ? jpeg : Path.ChangeExtension(jpeg, format == "jpeg" ? "jpg" : format);
            if (!File.Exists(path) && !Convert(jpeg, path, format))
            {
                return [];
            }

            files.Add(path);
        }

        return files;
    }

    /// <summary>A stored-sideways JPEG of a gradient sky, soft shapes and sensor-like noise, tagged with EXIF orientation 6.</summary>
    private static byte[] Draw(int seed)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            using var sky = new SKPaint();
            sky.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(Width, Height), [Colour(random), Colour(random)], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, Width, Height, sky);
            using var shape = new SKPaint { IsAntialias = true };
            for (var i = 0; i < 12; i++)
            {
                shape.Color = Colour(random).WithAlpha((byte)random.Next(120, 256));
                canvas.DrawOval(random.Next(Width), random.Next(Height), random.Next(100, 900), random.Next(100, 700), shape);
            }

            using var grain = new SKPaint { BlendMode = SKBlendMode.Overlay };
            grain.Shader = SKShader.CreatePerlinNoiseTurbulence(0.9f, 0.9f, 2, seed);
            canvas.DrawRect(0, 0, Width, Height, grain);
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 92);
        return HandMadeImages.JpegWithOrientation(data.ToArray(), 6);
    }

    private static bool Convert(string jpeg, string path, string format)
    {
        switch (format)
        {
            case "heic":
                return EncodeHeic(jpeg, path);
            case "jxl":
                using (var image = new MagickImage(jpeg))
                {
                    image.Quality = 85;
                    image.Write(path, MagickFormat.Jxl);
                }

                return true;
            default:
                using (var image = VipsImage.NewFromFile(jpeg))
                {
                    var bytes = format switch
                    {
                        "png" => image.PngsaveBuffer(compression: 6),
                        "webp" => image.WebpsaveBuffer(q: 85),
                        "tiff" => image.TiffsaveBuffer(compression: NetVips.Enums.ForeignTiffCompression.Deflate),
                        "avif" => image.HeifsaveBuffer(q: 60, compression: NetVips.Enums.ForeignHeifCompression.Av1, effort: 0),
                        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
                    };
                    File.WriteAllBytes(path, bytes);
                }

                return true;
        }
    }

    private static bool EncodeHeic(string jpeg, string path)
    {
        if (ExternalTools.Run("heif-enc", ["-q", "60", jpeg, "-o", path]) is { } succeeded)
        {
            return succeeded;
        }

        Console.Error.WriteLine("heif-enc is not installed (apt-get install libheif-examples): its format is left out.");
        return false;
    }

    private static SKColor Colour(Random random) => new((byte)random.Next(30, 230), (byte)random.Next(30, 230), (byte)random.Next(30, 230));
}
