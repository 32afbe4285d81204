using System.Text;
using Pipeline.StandInModels.Onnx;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels.Ocr;

/// <summary>
/// A PaddleOCR recogniser of another language, in PP-OCRv4's layout: <c>{language}_PP-OCRv4_rec_infer.onnx</c> (input
/// <c>x</c> [batch, 3, 48, width], output <c>softmax_0.tmp_0</c> [batch, width / 8, classes] of probabilities) and
/// <c>{language}_dict.txt</c>, one symbol per line (classes = blank + symbols + space). It reads every line as
/// <see cref="OcrRecognizerStandInOptions.Reading"/> whatever the pixels: a stand-in for the loader and the dictionary,
/// not for recognition.
/// </summary>
public static class OcrRecognizerStandIn
{
    private const int MaxSteps = 1024;

    /// <returns>The paths written: the graph, the dictionary, the stand-in marker.</returns>
    public static IReadOnlyList<string> Write(string folder, OcrRecognizerStandInOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(folder);
        var symbols = options.Dictionary.EnumerateRunes().Select(r => r.ToString()).Distinct().ToList();
        var classes = symbols.Count + 2;
        var reading = options.Reading.EnumerateRunes().Select(r => symbols.IndexOf(r.ToString()) + 1).ToList();
        if (reading.Any(index => index == 0))
        {
            throw new ArgumentException("Every character of the reading must be in the dictionary.", nameof(options));
        }

        var g = new GraphBuilder("recognizer", 13);
        var x = g.Input("x", DataType.Float, "batch", 3, 48, "width");
        var shape = g.Shape(x);
        var steps = g.Div(g.Gather(shape, g.Int64Scalar(3)), g.Int64Scalar(8));
        var rows = g.Gather(g.Floats("readout", Readout(reading, classes), MaxSteps, classes), g.Range(g.Int64Scalar(0), steps, g.Int64Scalar(1)));
        var batch = g.Gather(shape, g.Int64s([0]));
        g.Expand(g.Unsqueeze(rows, [0]), g.Concat([batch, g.Unsqueeze(steps, [0]), g.Int64s([classes])], axis: 0), "softmax_0.tmp_0");
        g.Output("softmax_0.tmp_0", DataType.Float, "batch", "steps", classes);

        var marker = new StandInMarker(options.ModelId, "paddleocr/ppocr-v4-rec", classes, Seed: 0);
        var model = g.ToModel(metadata: marker.ToModelMetadata(), docString: "Stand-in PaddleOCR recogniser reading one fixed text; not a real model.");
        var graph = Path.Combine(folder, $"{options.Language}_PP-OCRv4_rec_infer.onnx");
        OnnxFile.Write(model, graph);
        var dictionary = Path.Combine(folder, $"{options.Language}_dict.txt");
        File.WriteAllText(dictionary, string.Join('\n', symbols) + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return [graph, dictionary, StandInFiles.WriteJson(folder, StandInMarker.FileName, marker.ToJson())];
    }

    /// <summary>Per step: blank, then each character of the reading once with a blank between, then blanks (CTC).</summary>
    private static float[] Readout(List<int> reading, int classes)
    {
        var values = new float[MaxSteps * classes];
        for (var step = 0; step < MaxSteps; step++)
        {
            var symbol = step % 2 == 1 && step / 2 < reading.Count ? reading[step / 2] : 0;
            var row = values.AsSpan(step * classes, classes);
            row.Fill(0.01f / classes);
            row[symbol] = 0.99f;
        }

        return values;
    }
}

/// <param name="Language">PaddleOCR's language name: the files are <c>{Language}_PP-OCRv4_rec_infer.onnx</c> and <c>{Language}_dict.txt</c>.</param>
/// <param name="Dictionary">The symbols, each character one line of the dictionary.</param>
/// <param name="Reading">What it reads every line as; its characters must be in <paramref name="Dictionary"/>.</param>
public sealed record OcrRecognizerStandInOptions(string Language, string Dictionary, string Reading)
{
    public string ModelId { get; init; } = $"stand-in/ppocr-v4-{Language}";
}
