using Pipeline.Inference.Ocr;

namespace Pipeline.Tests.Unit.Ocr;

/// <summary>
/// 60 signs and labels drawn with DejaVu fonts (<see cref="GeneratedText"/>) read through the real PP-OCRv4 weights:
/// at least 95% of the lines exactly right (a missing or invented line counts as wrong), with shape buckets (the
/// default) and with PaddleOCR's free input shapes.
/// </summary>
[Collection(PaddleOcrFixture.Collection)]
public sealed class GeneratedTextAccuracyTests(PaddleOcrFixture ocr, ITestOutputHelper output)
{
    private const int Count = 60;
    private const int BatchSize = 5;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AtLeast95PercentOfLinesAreReadExactly(bool shapeBuckets)
    {
        var reader = shapeBuckets ? ocr.Reader : ocr.FreeShapesReader;
        var samples = GeneratedText.Create(Count);
        try
        {
            var (exact, lines, errors, characters) = (0, 0, 0, 0);
            foreach (var batch in samples.Chunk(BatchSize))
            {
                var results = await reader.ReadAsync([.. batch.Select(s => s.Image)], TestContext.Current.CancellationToken);
                for (var i = 0; i < batch.Length; i++)
                {
                    var expected = batch[i].Lines;
                    var read = results[i].Lines.Select(l => l.Text).ToList();
                    var right = Matched(expected, read);
                    exact += right;
                    lines += Math.Max(expected.Count, read.Count); // an invented line counts as a miss
                    var distance = CharacterErrors.Distance(string.Join('\n', expected), string.Join('\n', read));
                    errors += distance;
                    characters += string.Join('\n', expected).Length;
                    if (right != expected.Count || read.Count != expected.Count)
                    {
                        output.WriteLine($"{batch[i].Description}: expected [{string.Join(" | ", expected)}] read [{string.Join(" | ", read)}]");
                    }
                }
            }

            var accuracy = (double)exact / lines;
            var characterErrorRate = (double)errors / characters;
            var shapes = shapeBuckets ? "shape buckets" : "free shapes";
            output.WriteLine($"{Count} images, {lines} lines, {shapes}: exact-line accuracy {accuracy:P1}, character error rate {characterErrorRate:P2}");
            Console.WriteLine($"OCR on {Count} generated images ({lines} lines), {shapes}: exact-line accuracy {accuracy:P1}, CER {characterErrorRate:P2}");
            Assert.True(accuracy >= 0.95, $"exact-line accuracy {accuracy:P1} < 95% (CER {characterErrorRate:P2})");
        }
        finally
        {
            foreach (var sample in samples)
            {
                sample.Dispose();
            }
        }
    }

    /// <summary>Expected lines read exactly, each reading used once (a line split in two matches neither half).</summary>
    private static int Matched(IReadOnlyList<string> expected, List<string> read)
    {
        var unused = new List<string>(read);
        return expected.Count(line => unused.Remove(line));
    }
}
