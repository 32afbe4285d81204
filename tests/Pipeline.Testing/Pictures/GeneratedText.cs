using SkiaSharp;

namespace Pipeline.Testing;

/// <summary>
/// Signs, labels and captions drawn with Debian's DejaVu TrueType fonts: 1–3 lines of words, numbers, prices and dates,
/// 16–64 px, dark on light, light on dark and coloured, turned up to ±5°. Seeded, so every run draws the same set.
/// </summary>
public static class GeneratedText
{
    public const string FontFolder = "/usr/share/fonts/truetype/dejavu";

    private static readonly string[] FontFiles = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf"];

    private static readonly string[] Phrases =
    [
        "STOP", "ALL WAY", "Exit 12", "OPEN 24 HOURS", "Platform 9", "$4.99", "2024-05-17", "No parking on Sundays",
        "Fresh bread baked daily", "Gate B17", "Call 555-0142", "SALE 30% OFF", "Welcome to Springfield", "Keep left",
        "Room 204", "Total $12.50", "Speed limit 50", "Next train in 3 min", "Mind the gap", "Caution wet floor",
        "Order 4521", "The quick brown fox jumps", "Meeting at 10:30", "Version 2.1.0", "Hello World", "Berlin 580 km",
        "EXIT", "Push", "Pull to open", "Staff only", "Best before 2025-01-31", "Seats 1-40", "Track 7",
        "Bus stop", "Free Wi-Fi", "Ticket office", "Coffee $3.25", "Open Monday to Friday", "Emergency exit only",
        "Do not enter", "Parking P2", "Level 3", "Library", "Main Street", "Sunday 9am - 5pm", "Tel 0161 496 0000",
        "Lot 88", "Price 129.00", "Chapter 11", "Visitors welcome", "Please wait here", "Hot drinks",
        "Route 66", "Floor 12", "Low bridge", "Quiet please", "Pharmacy", "Post Office", "Aisle 5",
    ];

    public static IReadOnlyList<Sample> Create(int count, int seed = 20240517)
    {
        var random = new Random(seed);
        var typefaces = FontFiles.Select(f => SKTypeface.FromFile(Path.Combine(FontFolder, f))
            ?? throw new InvalidOperationException($"Font {Path.Combine(FontFolder, f)} is missing (Debian package fonts-dejavu-core / fonts-dejavu-extra).")).ToArray();
        var samples = new List<Sample>(count);
        for (var i = 0; i < count; i++)
        {
            var lines = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Phrases[random.Next(Phrases.Length)]).ToArray();
            var typeface = typefaces[random.Next(typefaces.Length)];
            var size = random.Next(16, 65);
            var (ink, paper) = Colours(random);
            var angle = (float)(random.NextDouble() * 10 - 5);
            samples.Add(new Sample(Draw(lines, typeface, size, ink, paper, angle, random), lines,
                $"#{i} {typeface.FamilyName} {(typeface.IsBold ? "bold " : "")}{size}px {angle:+0.0;-0.0}° ink {ink} on {paper}"));
        }

        return samples;
    }

    private static (SKColor Ink, SKColor Paper) Colours(Random random) => random.Next(3) switch
    {
        0 => (Grey(random, 0, 70), Grey(random, 200, 256)),
        1 => (Grey(random, 210, 256), Grey(random, 0, 60)),
        _ => Coloured[random.Next(Coloured.Length)],
    };

    private static readonly (SKColor, SKColor)[] Coloured =
    [
        (SKColors.White, new SKColor(200, 30, 35)), // stop sign
        (SKColors.White, new SKColor(0, 100, 60)), // road sign green
        (SKColors.White, new SKColor(20, 60, 160)), // blue
        (new SKColor(20, 20, 20), new SKColor(250, 200, 20)), // black on yellow
        (new SKColor(250, 220, 40), new SKColor(30, 30, 110)), // yellow on navy
        (new SKColor(180, 20, 30), new SKColor(245, 240, 225)), // red on cream
    ];

    private static SKColor Grey(Random random, int from, int to)
    {
        var level = random.Next(from, to);
        return new SKColor((byte)level, (byte)Math.Clamp(level + random.Next(-10, 11), 0, 255), (byte)Math.Clamp(level + random.Next(-10, 11), 0, 255));
    }

    private static SKBitmap Draw(string[] lines, SKTypeface typeface, int size, SKColor ink, SKColor paper, float angle, Random random)
    {
        using var font = new SKFont(typeface, size) { Edging = SKFontEdging.Antialias, Subpixel = true };
        using var paint = new SKPaint { Color = ink, IsAntialias = true };
        var lineHeight = size * (1.3f + (float)random.NextDouble() * 0.3f);
        var textWidth = lines.Max(l => font.MeasureText(l));
        var margin = size * (0.6f + (float)random.NextDouble());
        var (blockWidth, blockHeight) = (textWidth + 2 * margin, lineHeight * lines.Length + 2 * margin - (lineHeight - size * 1.2f));
        var radians = MathF.Abs(angle) * MathF.PI / 180;
        var width = (int)MathF.Ceiling(blockWidth * MathF.Cos(radians) + blockHeight * MathF.Sin(radians));
        var height = (int)MathF.Ceiling(blockWidth * MathF.Sin(radians) + blockHeight * MathF.Cos(radians));
        var centred = random.Next(2) == 0;

        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(paper);
        canvas.Translate(width / 2f, height / 2f);
        canvas.RotateDegrees(angle);
        canvas.Translate(-blockWidth / 2, -blockHeight / 2);
        for (var i = 0; i < lines.Length; i++)
        {
            var x = margin + (centred ? (textWidth - font.MeasureText(lines[i])) / 2 : 0);
            var baseline = margin + i * lineHeight - font.Metrics.Ascent;
            canvas.DrawText(lines[i], x, baseline, SKTextAlign.Left, font, paint);
        }

        return bitmap;
    }

    public sealed record Sample(SKBitmap Image, IReadOnlyList<string> Lines, string Description) : IDisposable
    {
        public void Dispose() => Image.Dispose();
    }
}
