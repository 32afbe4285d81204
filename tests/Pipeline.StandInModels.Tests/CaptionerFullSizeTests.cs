using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Pipeline.StandInModels.Captioner;

namespace Pipeline.StandInModels.Tests;

/// <summary>
/// The full-size (distilvit: ViT-B/16 + distilgpt2) stand-in, written into a cache folder under the temp directory
/// and reused while its options and the generator are unchanged. Prints the generation time and the file sizes.
/// </summary>
public sealed class CaptionerFullSizeTests
{
    [Fact]
    public void FullSizeDistilvitGeneratesLoadsAndCaptions()
    {
        var output = TestContext.Current.TestOutputHelper;
        var options = new CaptionerStandInOptions { Layout = CaptionerLayout.Distilvit, Size = CaptionerSize.Full };
        var folder = Path.Combine(Path.GetTempPath(), "pipeline-stand-in-cache", "captioner-distilvit-full-seed1");

        var stopwatch = Stopwatch.StartNew();
        var result = CaptionerStandIn.WriteOrReuse(folder, options);
        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"full-size distilvit stand-in: {(result.Reused ? "reused" : "generated")} in {stopwatch.Elapsed.TotalSeconds:F1} s ({folder})"));
        foreach (var path in result.Paths)
        {
            output?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{new FileInfo(path).Length,14:N0} B  {Path.GetRelativePath(folder, path)}"));
        }

        stopwatch.Restart();
        using var encoder = new InferenceSession(Path.Combine(folder, CaptionerStandIn.EncoderPath));
        using var decoder = new InferenceSession(Path.Combine(folder, CaptionerStandIn.DecoderPath));
        var load = stopwatch.Elapsed;
        var runner = new CaptionerRunner(encoder, decoder, CaptionerDimensions.For(options.Layout, options.Size));
        stopwatch.Restart();
        var (states, shape) = runner.Encode(CaptionerImages.Batch(CaptionerImages.Noise(1), CaptionerImages.Noise(2)));
        var (tokens, _) = runner.Greedy(states, shape, steps: options.EosAfterTokens!.Value + 1);
        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ORT load {load.TotalSeconds:F1} s; encode + {tokens[0].Length} greedy steps for 2 images {stopwatch.Elapsed.TotalSeconds:F1} s"));
        foreach (var row in tokens)
        {
            output?.WriteLine(string.Join(' ', row));
            Assert.True(row[..^1].Distinct().Count() >= row.Length / 2, "full-size captions should not collapse to a few tokens");
            Assert.Equal(50256, row[^1]);
        }

        Assert.NotEqual(tokens[0], tokens[1]);
    }
}
