using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Pipeline.Imaging;

namespace Pipeline.Benchmarks.Photos;

/// <summary>
/// <c>decode</c>: images per second per core of our decoder for each format of the phone photo set and each target
/// size (the longer side, as the worker's models and thumbnails ask), next to the best tools a user could pick
/// instead, in the same run on the same files: <c>vipsthumbnail</c> (Debian's libvips-tools) and Pillow with
/// <c>draft()</c> + <c>thumbnail()</c> (Debian's python3-pil). Every side runs on one core: ours with libvips's
/// concurrency at 1, vipsthumbnail with VIPS_CONCURRENCY=1 over all files in one process (start-up shared by all),
/// Pillow in one interpreter, timed inside it.
/// </summary>
internal static class DecodeBenchmark
{
    public static Command Create()
    {
        var photos = new Option<int>("--photos") { Description = "Photos of the set per format.", DefaultValueFactory = _ => 6 };
        var sizes = new Option<string>("--sizes") { Description = "Target longer sides, comma-separated.", DefaultValueFactory = _ => "224,384,768,1024" };
        var formats = new Option<string>("--formats") { Description = "Formats, comma-separated.", DefaultValueFactory = _ => string.Join(',', PhoneShots.Formats) };
        var command = new Command("decode", "Decode images/s per core for each format and target size: ours, vipsthumbnail and Pillow-draft, on a 12-megapixel phone photo set.")
        {
            photos, sizes, formats,
        };
        command.SetAction((result, cancellationToken) => Task.FromResult(Run(
            Math.Max(1, result.GetValue(photos)),
            result.GetRequiredValue(sizes).Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList(),
            result.GetRequiredValue(formats).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))));
        return command;
    }

    private static int Run(int photos, IReadOnlyList<int> sizes, IReadOnlyList<string> formats)
    {
        var root = ModelFolders.RepositoryRoot();
        Console.WriteLine(Invariant($"date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores; each side on one core; {photos} photos of {PhoneShots.Width}×{PhoneShots.Height} per format"));
        Console.WriteLine("format | target | file MB | ours img/s | vipsthumbnail img/s | Pillow-draft img/s | ours ÷ faster of the two");
        Console.WriteLine("-------|--------|---------|------------|---------------------|--------------------|-------------------------");
        foreach (var format in formats)
        {
            var files = PhoneShots.Files(root, format, photos);
            if (files.Count == 0)
            {
                continue;
            }

            var megabytes = files.Average(f => new FileInfo(f).Length) / 1_048_576.0;
            foreach (var size in sizes)
            {
                var ours = Ours(files, size);
                var vips = ExternalTools.VipsThumbnail(files, size);
                var pillow = ExternalTools.PillowDraft(files, size);
                var best = new[] { vips, pillow }.Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty().Max();
                Console.WriteLine(Invariant(
                    $"{format,-6} | {size,6} | {megabytes,7:F1} | {ours,10:F2} | {Figure(vips),19} | {Figure(pillow),18} | {(best > 0 ? (ours / best).ToString("F2", CultureInfo.InvariantCulture) + "×" : "—"),24}"));
            }
        }

        return 0;
    }

    /// <summary>Our decoder as the worker runs it (header, limits, shrink on load, orientation, sRGB), one image at a time.</summary>
    private static double Ours(IReadOnlyList<string> files, int size)
    {
        var decoder = new ImageDecoder(Options.Create(new ImagingOptions { MaxSide = size, MinSide = 1, DecodeTimeoutMs = 600_000 }));
        var bytes = files.Select(File.ReadAllBytes).ToList();
        decoder.Decode(bytes[0]).Dispose();
        var clock = Stopwatch.StartNew();
        foreach (var picture in bytes)
        {
            decoder.Decode(picture).Dispose();
        }

        return bytes.Count / clock.Elapsed.TotalSeconds;
    }

    private static string Figure(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "n/a";

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
