using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace Pipeline.StandInModels.Tests;

/// <summary>
/// Generates the ViT-B/32-sized stand-ins (as benchmarks do) and prints how long that takes and how big the files are.
/// Only loadability, I/O and the agreement of the two layouts are asserted; the numbers are for reading.
/// </summary>
public sealed class ClipFullSizeTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void FullSizeFoldersAreGeneratedLoadedAndAgree()
    {
        var output = TestContext.Current.TestOutputHelper!;
        var xenovaOptions = new ClipStandInOptions { Size = ClipStandInSize.Full, Seed = 3 };
        var immichOptions = xenovaOptions with { Layout = ClipStandInLayout.Immich };
        var xenova = _temp.Sub("xenova");
        var immich = _temp.Sub("immich");

        var stopwatch = Stopwatch.StartNew();
        var xenovaPaths = ClipStandIn.Write(xenova, xenovaOptions);
        var xenovaSeconds = stopwatch.Elapsed.TotalSeconds;
        stopwatch.Restart();
        var immichPaths = ClipStandIn.Write(immich, immichOptions);
        var immichSeconds = stopwatch.Elapsed.TotalSeconds;
        stopwatch.Restart();
        var reused = ClipStandIn.WriteOrReuse(xenova, xenovaOptions);
        var reuseSeconds = stopwatch.Elapsed.TotalSeconds;

        output.WriteLine(Line($"Full-size Xenova folder generated in {xenovaSeconds:F1} s, Immich in {immichSeconds:F1} s; reuse check {reuseSeconds:F2} s (reused: {reused.Reused})."));
        foreach (var path in xenovaPaths.Concat(immichPaths))
        {
            output.WriteLine(Line($"{new FileInfo(path).Length,14:N0} B  {Path.GetRelativePath(_temp.Path, path)}"));
        }

        Assert.True(reused.Reused);

        stopwatch.Restart();
        using var xenovaVision = new InferenceSession(Path.Combine(xenova, ClipStandIn.XenovaVisionModelPath));
        using var xenovaText = new InferenceSession(Path.Combine(xenova, ClipStandIn.XenovaTextModelPath));
        using var immichVisual = new InferenceSession(Path.Combine(immich, ClipStandIn.ImmichVisualModelPath));
        using var immichTextual = new InferenceSession(Path.Combine(immich, ClipStandIn.ImmichTextualModelPath));
        output.WriteLine(Line($"Four sessions opened in {stopwatch.Elapsed.TotalSeconds:F1} s."));

        var pixels = Images.Batch(Images.Noise(1), Images.Noise(2), Images.Solid(0.9f, 0.1f, 0.1f), Images.Solid(0.1f, 0.2f, 0.9f));
        stopwatch.Restart();
        var images = ClipStandInFixture.Run(xenovaVision, "pixel_values", "image_embeds", pixels);
        output.WriteLine(Line($"Xenova vision, batch of 4: {stopwatch.Elapsed.TotalMilliseconds:F0} ms (first run)."));
        var immichImages = ClipStandInFixture.Run(immichVisual, "image", "embedding", pixels, batchOfOne: true);

        long[][] texts = [ClipStandInFixture.PhotoOfACat, ClipStandInFixture.PhotoOfADog, ClipStandInFixture.Surfer];
        var textRows = texts.Select(t => Text(xenovaText, t)).ToArray();
        var immichTexts = texts.Select(t => ImmichText(immichTextual, t)).ToArray();

        output.WriteLine("Image cosines (noise 1, noise 2, red, blue): " + Cosines(images));
        output.WriteLine("Text cosines (cat, dog, surfer): " + Cosines(textRows));

        for (var i = 0; i < images.Length; i++)
        {
            Assert.True(Vectors.MaxAbsDiff(ClipStandInFixture.Normalised(images[i]), immichImages[i]) <= 1e-4);
        }

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(Vectors.MaxAbsDiff(ClipStandInFixture.Normalised(textRows[i]), immichTexts[i]) <= 1e-4);
        }
    }

    private static float[] Text(InferenceSession session, long[] ids)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input_ids"], [value], ["text_embeds"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static float[] ImmichText(InferenceSession session, long[] ids)
    {
        var padded = ClipStandInFixture.PadTo(ids, 77).Select(i => (int)i).ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(padded, [1, 77]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["text"], [value], ["embedding"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static string Cosines(float[][] rows)
    {
        var parts = new List<string>();
        for (var i = 0; i < rows.Length; i++)
        {
            for (var j = i + 1; j < rows.Length; j++)
            {
                parts.Add(Line($"{i}-{j} {Vectors.Cosine(rows[i], rows[j]):F3}"));
            }
        }

        return string.Join(", ", parts);
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
