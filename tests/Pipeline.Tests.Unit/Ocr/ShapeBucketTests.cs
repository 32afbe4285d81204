using System.Globalization;
using System.Numerics;
using Pipeline.Inference.Ocr;

namespace Pipeline.Tests.Unit.Ocr;

/// <summary>
/// Shape buckets bound what the graphs are given: the 60 test signs (every one a different size, lines of many
/// lengths, 1–3 lines a picture) read in micro-batches of 5 run only at bucket shapes, so at no more distinct shapes
/// than there are buckets — what keeps cuDNN's algorithm search and the GPU arena from growing with every upload.
/// </summary>
[Collection(PaddleOcrFixture.Collection)]
public sealed class ShapeBucketTests(ITestOutputHelper output)
{
    private const int BatchSize = 5;
    private static readonly int[] RecognitionBatches = [1, 2, 4, 8];
    private static readonly int[] ClassifierBatches = [1, 2, 4, 8, 16];

    [Fact]
    public async Task SixtySignsRunAtNoMoreShapesThanThereAreBuckets()
    {
        var options = new OcrOptions();
        var buckets = InputShapes.From(options);
        using var reader = PaddleOcrFixture.NewReader(options);
        var samples = GeneratedText.Create(60);
        try
        {
            foreach (var batch in samples.Chunk(BatchSize))
            {
                await reader.ReadAsync([.. batch.Select(s => s.Image)], TestContext.Current.CancellationToken);
            }
        }
        finally
        {
            foreach (var sample in samples)
            {
                sample.Dispose();
            }
        }

        var (detection, classifier, recognition) = (Dimensions(reader.Inputs.Detection), Dimensions(reader.Inputs.Classifier), Dimensions(reader.Inputs.Recognition));
        var message = $"detection {detection.Count}, classifier {classifier.Count}, recognition {recognition.Count} distinct shapes";
        output.WriteLine(message);
        Console.WriteLine($"OCR on 60 generated images in micro-batches of {BatchSize}, shape buckets: {message}");

        var sides = Enumerable.Range(1, options.DetectionMaxSide).Select(s => buckets.Detection(s, s, 1).Canvas.Width).ToHashSet();
        Assert.All(detection, s => Assert.True(BitOperations.IsPow2(s[0]) && sides.Contains(s[2]) && sides.Contains(s[3]), $"detection {string.Join('×', s)}"));
        Assert.All(classifier, s => Assert.Contains(s[0], ClassifierBatches));

        var widths = Enumerable.Range(1, recognition.Max(s => s[3])).Select(buckets.LineWidth).ToHashSet();
        Assert.All(recognition, s => Assert.True(RecognitionBatches.Contains(s[0]) && widths.Contains(s[3]), $"recognition {string.Join('×', s)}"));
        Assert.InRange(recognition.Count, 1, widths.Count * RecognitionBatches.Length);
    }

    private static List<int[]> Dimensions(GraphInputs inputs) => [.. inputs.Shapes.Select(s => s.Split('×').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray())];
}
