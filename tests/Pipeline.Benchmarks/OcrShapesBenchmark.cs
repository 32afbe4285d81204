using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using Pipeline.Inference.Ocr;
using Pipeline.Inference.Runtime;
using SkiaSharp;

namespace Pipeline.Benchmarks;

/// <summary>
/// <c>ocr --shapes</c>: 100 mixed pictures (<see cref="OcrPictures"/>) read in micro-batches of 5 with free input shapes
/// (PaddleOCR's) and with shape buckets at each detection ratio asked for: distinct input shapes per graph (what a GPU
/// pays a cuDNN search and arena memory for), the input values each graph computes (padding included) next to free
/// shapes, wall-clock and CPU time per picture, and what is read.
/// </summary>
internal static class OcrShapesBenchmark
{
    private const int Pictures = 100;
    private const int BatchSize = 5;

    public static async Task<int> RunAsync(string modelFolder, string sampleFolder, OnnxSessionFactory sessions, InferenceOptions inference, double[] ratios, int passes, CancellationToken cancellationToken)
    {
        var setups = new List<(string Name, OcrOptions Options)> { ("free", new OcrOptions { Path = modelFolder, UseShapeBuckets = false }) };
        setups.AddRange(ratios.Select(r => (string.Create(CultureInfo.InvariantCulture, $"buckets ×{r}"), new OcrOptions { Path = modelFolder, DetectionBucketRatio = r })));
        setups.ForEach(s => Validator.ValidateObject(s.Options, new ValidationContext(s.Options), validateAllProperties: true));
        var pictures = OcrPictures.Create(sampleFolder, Pictures);
        var images = pictures.Select(p => p.Image).ToList();
        var readers = new List<PaddleTextReader>();
        try
        {
            readers.AddRange(setups.Select(s => new PaddleTextReader(s.Options, sessions)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{pictures.Count} pictures ({pictures.Count(p => p.Lines is null)} sample photos, {pictures.Count(p => p.Lines is not null)} generated with " +
                $"{pictures.Sum(p => p.Lines?.Count ?? 0)} lines), micro-batches of {BatchSize}, {passes} timed passes, " +
                $"{Environment.ProcessorCount} cores, intra-op threads {inference.EffectiveIntraOpThreads}"));

            // The first pass counts the shapes and keeps the readings; it also warms each reader up, so it is not timed.
            var readings = new List<List<OcrResult>>();
            foreach (var reader in readers)
            {
                readings.Add(await ReadAllAsync(reader, images, cancellationToken));
            }

            // Timed passes take the setups in turn, so drift in this machine's speed falls on all of them alike.
            var wall = readers.Select(_ => new List<double>()).ToList();
            var cpu = readers.Select(_ => new List<double>()).ToList();
            using var process = Process.GetCurrentProcess();
            for (var pass = 0; pass < passes; pass++)
            {
                for (var r = 0; r < readers.Count; r++)
                {
                    process.Refresh();
                    var cpuBefore = process.TotalProcessorTime;
                    var stopwatch = Stopwatch.StartNew();
                    await ReadAllAsync(readers[r], images, cancellationToken);
                    wall[r].Add(stopwatch.Elapsed.TotalMilliseconds / images.Count);
                    process.Refresh();
                    cpu[r].Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds / images.Count);
                }
            }

            var free = readers[0].Inputs;
            Console.WriteLine("shapes         | detection | classifier | recognition | detection work | recognition work | ms/picture | CPU ms/picture | exact lines | read unlike free");
            Console.WriteLine("---------------|-----------|------------|-------------|----------------|------------------|------------|----------------|-------------|-----------------");
            for (var r = 0; r < readers.Count; r++)
            {
                var (detection, classifier, recognition) = readers[r].Inputs;
                var differ = Enumerable.Range(0, images.Count).Count(i => !Texts(readings[r][i]).SequenceEqual(Texts(readings[0][i])));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{setups[r].Name,-14} | {detection.Shapes.Count,9} | {classifier.Shapes.Count,10} | {recognition.Shapes.Count,11} | " +
                    $"{(double)detection.Values / free.Detection.Values,14:P0} | {(double)recognition.Values / free.Recognition.Values,16:P0} | " +
                    $"{Median(wall[r]),10:F0} | {Median(cpu[r]),14:F0} | {ExactLines(pictures, readings[r]),11:P1} | {differ,16}"));
            }

            return 0;
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
            images.ForEach(i => i.Dispose());
        }
    }

    private static async Task<List<OcrResult>> ReadAllAsync(PaddleTextReader reader, List<SKBitmap> images, CancellationToken cancellationToken)
    {
        var results = new List<OcrResult>(images.Count);
        foreach (var chunk in images.Chunk(BatchSize))
        {
            results.AddRange(await reader.ReadAsync(chunk, cancellationToken));
        }

        return results;
    }

    private static IEnumerable<string> Texts(OcrResult result) => result.Lines.Select(l => l.Text);

    /// <summary>Of the generated pictures' lines, the share read exactly (each reading used once; an invented line counts as a miss).</summary>
    private static double ExactLines(List<(SKBitmap Image, IReadOnlyList<string>? Lines)> pictures, List<OcrResult> readings)
    {
        var (exact, lines) = (0, 0);
        for (var i = 0; i < pictures.Count; i++)
        {
            if (pictures[i].Lines is not { } expected)
            {
                continue;
            }

            var unused = Texts(readings[i]).ToList();
            exact += expected.Count(unused.Remove);
            lines += Math.Max(expected.Count, readings[i].Lines.Count);
        }

        return (double)exact / lines;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
