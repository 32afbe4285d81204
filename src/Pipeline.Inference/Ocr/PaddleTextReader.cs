using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Runtime;
using SkiaSharp;

namespace Pipeline.Inference.Ocr;

/// <summary>
/// PP-OCRv4 (PaddleOCR's DB detector, 0°/180° classifier and SVTR recogniser, ONNX exports) over a micro-batch:
/// detector passes per input size (a second one, at a smaller scale, for pictures whose text is large), then every
/// line of the batch recognised in sub-batches of lines padded to the same width; sizes and widths as
/// <see cref="InputShapes"/> gives them. Alpha is composited on white.
/// </summary>
public sealed class PaddleTextReader : IImageModel
{
    private readonly OcrOptions _options;
    private readonly InputShapes _shapes;
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
        _shapes = InputShapes.From(options);
        var files = OcrModelFiles.Locate(options.Path, options.UseAngleClassifier, options.Language);
        Identity = ModelIdentity.OfFolder(files.Folder, configuredId: null, files.ModelId);
        var dictionary = OcrDictionary.Load(files.DictionaryPath);
        _detector = new OcrSession(sessions, files.DetectionPath, "OCR detection");
        try
        {
            _recognizerSession = new OcrSession(sessions, files.RecognitionPath, "OCR recognition");
            if (options.UseAngleClassifier)
            {
                _classifierSession = new OcrSession(sessions, files.ClassifierPath, "OCR angle classifier");
                _classifier = new AngleClassifier(_classifierSession, _shapes);
            }
        }
        catch
        {
            _detector.Dispose();
            _recognizerSession?.Dispose();
            throw;
        }

        _postProcessor = new DbPostProcessor(options.BinarizationThreshold, options.BoxThreshold, options.UnclipRatio);
        _recognizer = new LineRecognizer(_recognizerSession, dictionary, _shapes, options.RecognitionBatchSize);
    }

    public ModelIdentity Identity { get; }

    public ModelRole Role => ModelRole.TextReader;

    /// <summary>Detection scales the picture itself (<see cref="OcrOptions.DetectionMaxSide"/>); lines are cut from it.</summary>
    public ImageNeed Needs => PictureNeed.Instance;

    public string Settings =>
        $"language {_options.Language}, detection at most {_options.DetectionMaxSide} px, angle classifier {(_options.UseAngleClassifier ? "on" : "off")}, minimum confidence {_options.MinConfidence}";

    public async Task<IReadOnlyList<ModelResult>> RunAsync(IReadOnlyList<ModelInputs> images, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        return [.. await ReadAsync(images.Select(i => i.Picture).ToList(), cancellationToken).ConfigureAwait(false)];
    }

    internal OcrStageTimes Times { get; } = new();

    /// <summary>What each graph has been given so far (for benchmarks and tests); the classifier's is empty when it is off.</summary>
    internal (GraphInputs Detection, GraphInputs Classifier, GraphInputs Recognition) Inputs =>
        (_detector.Inputs, _classifierSession?.Inputs ?? new([], 0), _recognizerSession.Inputs);

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

    /// <returns>Per picture, its boxes in its own pixel coordinates (as detected, before any turn for reading).</returns>
    private List<Quad>[] Detect(List<OcrImage> images, RunOptions runOptions, CancellationToken cancellationToken)
    {
        var scales = images.Select(i => DetectionInput.Scale(i.Width, i.Height, _options.DetectionMaxSide)).ToArray();
        var boxes = DetectAt(images, scales, runOptions, cancellationToken);

        var again = Enumerable.Range(0, images.Count)
            .Select(n => (Index: n, Scale: LargeText.Rescale(boxes[n], scales[n])))
            .Where(r => r.Scale is not null)
            .ToList();
        if (again.Count > 0)
        {
            var second = DetectAt([.. again.Select(r => images[r.Index])], [.. again.Select(r => r.Scale!.Value)], runOptions, cancellationToken);
            for (var i = 0; i < again.Count; i++)
            {
                boxes[again[i].Index] = second[i];
            }
        }

        return boxes;
    }

    /// <summary>
    /// The detector over the pictures, each at its own scale, and DB post-processing: pictures of one canvas share
    /// forward passes (a batch of photos from one camera is one pass; with shape buckets, passes of powers of two,
    /// as a micro-batch can hold any number of pictures).
    /// </summary>
    private List<Quad>[] DetectAt(List<OcrImage> images, double[] scales, RunOptions runOptions, CancellationToken cancellationToken)
    {
        var boxes = new List<Quad>[images.Count];
        var inputs = Enumerable.Range(0, images.Count).Select(n => _shapes.Detection(images[n].Width, images[n].Height, scales[n])).ToArray();
        var passes = Enumerable.Range(0, images.Count)
            .GroupBy(n => inputs[n].Canvas)
            .SelectMany(g => _shapes.Batches(g, int.MaxValue).Select(members => (Canvas: g.Key, Members: members)));
        foreach (var (canvas, members) in passes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            var input = DetectionInput.Build([.. members.Select(n => images[n])], [.. members.Select(n => inputs[n].Picture)], canvas);
            Times.AddPrepare(started);
            started = Stopwatch.GetTimestamp();
            var (map, _) = _detector.Run(input.Tensor, input.Shape, runOptions);
            Times.AddDetect(started);

            started = Stopwatch.GetTimestamp();
            var plane = canvas.Width * canvas.Height;
            for (var m = 0; m < members.Length; m++)
            {
                var image = images[members[m]];
                var (w, h) = inputs[members[m]].Picture;
                var (sx, sy) = ((float)image.Width / w, (float)image.Height / h);
                boxes[members[m]] = [.. _postProcessor.Boxes(map.AsSpan(m * plane, plane), canvas.Width, w, h)
                    .Select(b => b.Scale(sx, sy).Clamp(image.Width, image.Height))
                    .Where(b => (int)b.Width > 3 && (int)b.Height > 3)];
            }

            Times.AddBoxes(started);
        }

        return boxes;
    }

    private OcrResult Result(List<Quad> detected, List<(OcrImage Image, int Index, Quad Box)> lines, (string Text, float Confidence)[] texts, int n)
    {
        var found = new List<(TextLine Line, Quad Box)>();
        var unread = 0;
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
                found.Add((new TextLine(text, texts[i].Confidence, box.ToPoints()), box));
            }
            else
            {
                unread++;
            }
        }

        return found.Count == 0 && unread == 0
            ? OcrResult.Empty
            : new OcrResult([.. ReadingOrder.Sort(found, f => f.Box).Select(f => f.Line)], unread);
    }
}
