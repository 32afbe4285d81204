using Microsoft.ML.OnnxRuntime;

namespace Pipeline.StandInModels.Tests;

/// <summary>Tiny Xenova and Immich folders of one seed, written once and loaded in ONNX Runtime.</summary>
public sealed class ClipStandInFixture : IDisposable
{
    public const int Dim = ClipGraphs.ProjectionDim;
    public const long Bos = ClipTokenizerFiles.StartOfTextId;
    public const long Eos = ClipTokenizerFiles.EndOfTextId;

    private readonly TempFolder _folder = new();

    public ClipStandInFixture()
    {
        XenovaFolder = _folder.Sub("xenova");
        ImmichFolder = _folder.Sub("immich");
        XenovaPaths = ClipStandIn.Write(XenovaFolder, Xenova);
        ImmichPaths = ClipStandIn.Write(ImmichFolder, Immich);
        XenovaVision = new InferenceSession(Path.Combine(XenovaFolder, ClipStandIn.XenovaVisionModelPath));
        XenovaText = new InferenceSession(Path.Combine(XenovaFolder, ClipStandIn.XenovaTextModelPath));
        ImmichVisual = new InferenceSession(Path.Combine(ImmichFolder, ClipStandIn.ImmichVisualModelPath));
        ImmichTextual = new InferenceSession(Path.Combine(ImmichFolder, ClipStandIn.ImmichTextualModelPath));
    }

    public static ClipStandInOptions Xenova { get; } = new() { Size = ClipStandInSize.Tiny, Seed = 7 };

    public static ClipStandInOptions Immich { get; } = Xenova with { Layout = ClipStandInLayout.Immich };

    public string XenovaFolder { get; }

    public string ImmichFolder { get; }

    public IReadOnlyList<string> XenovaPaths { get; }

    public IReadOnlyList<string> ImmichPaths { get; }

    public InferenceSession XenovaVision { get; }

    public InferenceSession XenovaText { get; }

    public InferenceSession ImmichVisual { get; }

    public InferenceSession ImmichTextual { get; }

    /// <summary>"a photo of a cat" as CLIP tokenizes it.</summary>
    public static long[] PhotoOfACat { get; } = [Bos, 320, 1125, 539, 320, 2368, Eos];

    /// <summary>"a photo of a dog".</summary>
    public static long[] PhotoOfADog { get; } = [Bos, 320, 1125, 539, 320, 1929, Eos];

    /// <summary>"A man riding a wave on top of a surfboard."</summary>
    public static long[] Surfer { get; } = [Bos, 320, 786, 6765, 320, 4535, 525, 1253, 539, 320, 10176, 1972, 269, Eos];

    /// <summary>One row per image of pixel_values [batch,3,224,224] → image_embeds rows.</summary>
    public static float[][] Run(InferenceSession session, string input, string output, float[] pixels, bool batchOfOne = false)
    {
        var batch = pixels.Length / Images.PixelsPerImage;
        if (batchOfOne)
        {
            return Enumerable.Range(0, batch)
                .Select(i => Run(session, input, output, pixels.AsSpan(i * Images.PixelsPerImage, Images.PixelsPerImage).ToArray())[0])
                .ToArray();
        }

        using var value = OrtValue.CreateTensorValueFromMemory(pixels, [batch, 3, 224, 224]);
        return Rows(session, input, value, output, batch);
    }

    public float[][] XenovaImages(float[] pixels) => Run(XenovaVision, "pixel_values", "image_embeds", pixels);

    public float[][] ImmichImages(float[] pixels) => Run(ImmichVisual, "image", "embedding", pixels, batchOfOne: true);

    /// <summary>Xenova text_model on a batch of sequences, padded with EOS to the longest, as transformers.js does.</summary>
    public float[][] XenovaTexts(params long[][] sequences)
    {
        var length = sequences.Max(s => s.Length);
        var ids = new long[sequences.Length * length];
        Array.Fill(ids, Eos);
        for (var r = 0; r < sequences.Length; r++)
        {
            sequences[r].CopyTo(ids, r * length);
        }

        using var value = OrtValue.CreateTensorValueFromMemory(ids, [sequences.Length, length]);
        return Rows(XenovaText, "input_ids", value, "text_embeds", sequences.Length);
    }

    /// <summary>Immich textual model: the sequence padded with EOS to 77, as int32.</summary>
    public float[] ImmichText(long[] sequence)
    {
        var ids = new int[77];
        Array.Fill(ids, (int)Eos);
        for (var i = 0; i < sequence.Length; i++)
        {
            ids[i] = (int)sequence[i];
        }

        using var value = OrtValue.CreateTensorValueFromMemory(ids, [1, 77]);
        return Rows(ImmichTextual, "text", value, "embedding", 1)[0];
    }

    public static long[] PadTo(long[] sequence, int length, long pad = Eos) =>
        [.. sequence, .. Enumerable.Repeat(pad, length - sequence.Length)];

    public static float[] Normalised(float[] v)
    {
        var norm = (float)Vectors.Norm(v);
        return v.Select(x => x / norm).ToArray();
    }

    public void Dispose()
    {
        XenovaVision.Dispose();
        XenovaText.Dispose();
        ImmichVisual.Dispose();
        ImmichTextual.Dispose();
        _folder.Dispose();
    }

    private static float[][] Rows(InferenceSession session, string input, OrtValue value, string output, int rows)
    {
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [input], [value], [output]);
        var result = outputs[0];
        Assert.Equal([rows, Dim], result.GetTensorTypeAndShape().Shape);
        var flat = result.GetTensorDataAsSpan<float>().ToArray();
        return Enumerable.Range(0, rows).Select(r => flat.AsSpan(r * Dim, Dim).ToArray()).ToArray();
    }
}
