using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference.Runtime;
using SkiaSharp;

namespace Pipeline.Inference.Ocr;

/// <summary>
/// PP-OCRv4 (PaddleOCR's DB detector, 0°/180° classifier and SVTR recogniser, ONNX exports) over a micro-batch:
/// one detector pass for all pictures, then every line of the batch recognised in width-sorted sub-batches.
/// </summary>
public sealed class PaddleTextReader : ITextReader, IDisposable
{
    private readonly OcrOptions _options;
    private readonly OcrSession _detector;
    private readonly OcrSession? _classifierSession;
    private readonly OcrSession _recognizerSession;
    private readonly DbPostProcessor _postProcessor;
    private readonly AngleClassifier? _classifier;
    private readonly LineRecognizer _recognizer;

    /// <exception cref="ModelNotFoundException">The folder or one of its files is missing or not loadable.</exception>
    public PaddleTextReader(OcrOptions options, OnnxSessionFactory sessions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sessions);
        _options = options;
        var files = OcrModelFiles.Locate(options.Path, options.UseAngleClassifier);
        ModelId = files.ModelId;
        var dictionary = OcrDictionary.Load(files.DictionaryPath);
        _detector = new OcrSession(sessions, files.DetectionPath, "OCR detection");
        try
        {
            _recognizerSession = new OcrSession(sessions, files.RecognitionPath, "OCR recognition");
            if (options.UseAngleClassifier)
            {
                _classifierSession = new OcrSession(sessions, files.ClassifierPath, "OCR angle classifier");
                _classifier = new AngleClassifier(_classifierSession);
            }
        }
        catch
        {
            _detector.Dispose();
            _recognizerSession?.Dispose();
            throw;
        }

        _postProcessor = new DbPostProcessor(options.BinarizationThreshold, options.BoxThreshold, options.UnclipRatio);
        _recognizer = new LineRecognizer(_recognizerSession, dictionary, options.RecognitionBatchSize);
    }

    public string ModelId { get; }

    internal OcrStageTimes Times { get; } = new();

    public Task<IReadOnlyList<OcrResult>> ReadAsync(IReadOnlyList<SKBitmap> images, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<OcrResult>>([]);
        }

        // ONNX Runtime's Run is synchronous and CPU-bound: keep it off the caller's thread, cancellable through RunOptions.
        return Task.Run(() => Read(images, cancellationToken), cancellationToken);
    }

    public void Dispose()
    {
        _detector.Dispose();
        _classifierSession?.Dispose();
        _recognizerSession.Dispose();
    }

    private IReadOnlyList<OcrResult> Read(IReadOnlyList<SKBitmap> bitmaps, CancellationToken cancellationToken)
    {
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        var images = new List<OcrImage>(bitmaps.Count);
        try
        {
            var started = Stopwatch.GetTimestamp();
            images.AddRange(bitmaps.Select(OcrImage.From));
            Times.AddPrepare(started);

            var boxes = Detect(images, runOptions, cancellationToken);
            var lines = boxes.SelectMany((found, n) => found.Select(box => (Image: images[n], Index: n, Box: LineCrop.Upright(box)))).ToList();

            started = Stopwatch.GetTimestamp();
            var candidates = lines.Select(l => (l.Image, l.Box)).ToList();
            var turned = new List<int>();
            if (_classifier is not null && lines.Count > 0)
            {
                // The classifier alone turns too many right-way-up lines (short words, long lines squeezed into 192
                // pixels): a line it calls upside down is read both ways and the more confident reading kept.
                var upsideDown = _classifier.UpsideDown(candidates, runOptions, cancellationToken);
                turned.AddRange(Enumerable.Range(0, lines.Count).Where(i => upsideDown[i]));
                candidates.AddRange(turned.Select(i => (lines[i].Image, lines[i].Box.Rotated180())));
            }

            Times.AddClassify(started);
            started = Stopwatch.GetTimestamp();
            var texts = _recognizer.Read(candidates, runOptions, cancellationToken);
            for (var t = 0; t < turned.Count; t++)
            {
                var other = texts[lines.Count + t];
                if (other.Confidence > texts[turned[t]].Confidence)
                {
                    texts[turned[t]] = other;
                }
            }

            Times.AddRecognize(started, candidates.Count);

            return [.. Enumerable.Range(0, images.Count).Select(n => Result(boxes[n], lines, texts, n))];
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            images.ForEach(i => i.Dispose());
        }
    }

    internal static double ExperimentTarget = double.Parse(Environment.GetEnvironmentVariable("TARGET") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
    internal static double ExperimentLarge = double.Parse(Environment.GetEnvironmentVariable("LARGE") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    /// <returns>Per picture, its boxes in its own pixel coordinates (as detected, before any turn for reading).</returns>
    private List<Quad>[] Detect(List<OcrImage> images, RunOptions runOptions, CancellationToken cancellationToken)
    {
        var sizes = images.Select(i => DetectionInput.ScaledSize(i.Width, i.Height, _options.DetectionMaxSide)).ToArray();
        var boxes = DetectAt(images, sizes, runOptions, cancellationToken);
        if (ExperimentTarget <= 0)
        {
            return boxes;
        }

        var again = new List<int>();
        var sizes2 = new List<(int, int)>();
        for (var n = 0; n < images.Count; n++)
        {
            if (boxes[n].Count == 0)
            {
                continue;
            }

            var scale = (double)sizes[n].Width / images[n].Width;
            var heights = boxes[n].Select(b => Math.Min(b.Width, b.Height) * scale).Order().ToList();
            var median = heights[heights.Count / 2];
            var small = double.Parse(Environment.GetEnvironmentVariable("SMALL") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            if (median > ExperimentLarge || median < small)
            {
                var s2 = Math.Min(scale * ExperimentTarget / median, (double)_options.DetectionMaxSide / Math.Max(images[n].Width, images[n].Height));
                if (Math.Abs(s2 / scale - 1) > 0.2)
                {
                    again.Add(n);
                    sizes2.Add(DetectionInput.ScaledSize(images[n].Width, images[n].Height, s2));
                }
            }
        }

        if (again.Count > 0)
        {
            var boxes2 = DetectAt([.. again.Select(n => images[n])], sizes2, runOptions, cancellationToken);
            for (var i = 0; i < again.Count; i++)
            {
                boxes[again[i]] = boxes2[i];
            }
        }

        return boxes;
    }

    private List<Quad>[] DetectAt(List<OcrImage> images, IReadOnlyList<(int Width, int Height)> sizes, RunOptions runOptions, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = Stopwatch.GetTimestamp();
        var input = DetectionInput.Build(images, sizes);
        Times.AddPrepare(started);
        started = Stopwatch.GetTimestamp();
        var (map, shape) = _detector.Run(input.Tensor, input.Shape, runOptions);
        Times.AddDetect(started);

        started = Stopwatch.GetTimestamp();
        var (height, width) = ((int)shape[2], (int)shape[3]);
        if (Environment.GetEnvironmentVariable("DUMPMAP") is { Length: > 0 } dumpMap)
        {
            using var grey = new SKBitmap(new SKImageInfo(width, height * images.Count, SKColorType.Gray8, SKAlphaType.Opaque));
            var px = grey.GetPixelSpan();
            var bytes = map.Select(v => (byte)(v * 255)).ToArray();
            System.Runtime.InteropServices.Marshal.Copy(bytes, 0, grey.GetPixels(), bytes.Length);
            using var png = SKImage.FromBitmap(grey).Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(dumpMap, png.ToArray());
        }

        var boxes = new List<Quad>[images.Count];
        for (var n = 0; n < images.Count; n++)
        {
            var (w, h) = input.Sizes[n];
            var (sx, sy) = ((float)images[n].Width / w, (float)images[n].Height / h);
            boxes[n] = [.. _postProcessor.Boxes(map.AsSpan(n * height * width, height * width), width, w, h)
                .Select(b => b.Scale(sx, sy).Clamp(images[n].Width, images[n].Height))
                .Where(b => (int)b.Width > 3 && (int)b.Height > 3)];
        }

        Times.AddBoxes(started);
        return boxes;
    }

    private OcrResult Result(List<Quad> detected, List<(OcrImage Image, int Index, Quad Box)> lines, (string Text, float Confidence)[] texts, int n)
    {
        var found = new List<(OcrLine Line, Quad Box)>();
        var k = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Index != n)
            {
                continue;
            }

            var box = detected[k++];
            var text = texts[i].Text.Trim();
            if (text.Length > 0 && texts[i].Confidence >= _options.MinConfidence)
            {
                found.Add((new OcrLine(text, texts[i].Confidence, box.ToPoints()), box));
            }
        }

        return found.Count == 0 ? OcrResult.Empty : new OcrResult([.. ReadingOrder.Sort(found, f => f.Box).Select(f => f.Line)]);
    }
}
