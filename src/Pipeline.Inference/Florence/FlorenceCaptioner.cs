using Pipeline.Imaging.Tensors;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Generation;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Florence;

/// <summary>
/// Florence-2 as the captioner: one vision pass per image, then the configured tasks (<see cref="FlorenceOptions"/>)
/// each decoded for the whole batch at once, answered as alt-text, a long description and objects with boxes in the
/// picture's own pixels.
/// </summary>
public sealed class FlorenceCaptioner : IImageModel
{
    private readonly FlorenceGenerator _generator;
    private readonly FlorenceTokenizer _tokenizer;
    private readonly FlorenceTask _altText;
    private readonly FlorenceTask? _longDescription;
    private readonly FlorenceTask? _objects;

    public FlorenceCaptioner(FlorenceOptions options, OnnxSessionFactory sessions)
    {
        ArgumentNullException.ThrowIfNull(options);
        var folder = options.Path;
        if (!Directory.Exists(folder))
        {
            throw new ModelNotFoundException($"The Florence-2 folder '{folder}' does not exist (Models:Florence:Path). Fetch the model (see docs/MODELS.md).");
        }

        _tokenizer = FlorenceTokenizer.FromFolder(folder);
        Preprocessing = PreprocessorConfig.Load(System.IO.Path.Combine(folder, "preprocessor_config.json"));
        Generation = GenerationSettings.Load(folder, options.NumBeams, maxLength: 1 + options.MaxNewTokens);
        _altText = Task(options.AltTextTask)!;
        _longDescription = Task(options.LongDescriptionTask);
        _objects = Task(options.ObjectsTask);
        _generator = new FlorenceGenerator(new FlorenceSessions(folder, options.Variant, sessions));
        Identity = ModelIdentity.OfFolder(folder, options.ModelId);
        Needs = new TensorNeed(Preprocessing);
    }

    public ModelIdentity Identity { get; }

    public ModelRole Role => ModelRole.Captioner;

    public ImageNeed Needs { get; }

    public PreprocessorConfig Preprocessing { get; }

    public GenerationSettings Generation { get; }

    public string Settings =>
        $"alt-text {_altText.Token}, long description {_longDescription?.Token ?? "none"}, objects {_objects?.Token ?? "none"}; " +
        $"{Generation.NumBeams} beam(s), at most {Generation.MaxLength - 1} new tokens, no-repeat n-gram {Generation.NoRepeatNgramSize}";

    /// <summary>The message tasks it answers: detailed captions, the text, objects, regions and text with regions.</summary>
    public IReadOnlyCollection<string> TaskKinds => [.. FlorenceTask.ForMessageTask.Keys];

    public async Task<IReadOnlyList<ModelResult>> RunAsync(IReadOnlyList<ModelInputs> images, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var batch = new TensorBatch(images, Preprocessing);
        var sizes = images.Select(i => (i.OriginalWidth, i.OriginalHeight)).ToList();
        var features = await SeeAsync(batch.Pixels, images.Count, cancellationToken).ConfigureAwait(false);
        var answers = new Dictionary<FlorenceTask, FlorenceAnswer?[]>();
        foreach (var task in new[] { _altText, _longDescription, _objects }.OfType<FlorenceTask>().Distinct())
        {
            answers[task] = (await AnswerAsync(features, sizes, task, cancellationToken).ConfigureAwait(false)).Answers;
        }

        // A message's own task runs for the images that asked it, once per task, unless every image gets it anyway.
        var asked = images.Select(i => i.Task?.Kind is { } kind ? FlorenceTask.ForMessageTask.GetValueOrDefault(kind) : null).ToArray();
        foreach (var group in Enumerable.Range(0, images.Count).Where(i => asked[i] is not null).GroupBy(i => asked[i]!))
        {
            if (!answers.TryGetValue(group.Key, out var found))
            {
                answers[group.Key] = found = new FlorenceAnswer?[images.Count];
            }

            var missing = group.Where(i => found[i] is null).ToList();
            if (missing.Count > 0)
            {
                var (_, read) = await AnswerAsync(features.Only(missing), [.. missing.Select(i => sizes[i])], group.Key, cancellationToken).ConfigureAwait(false);
                for (var row = 0; row < missing.Count; row++)
                {
                    found[missing[row]] = read[row];
                }
            }
        }

        return [.. Enumerable.Range(0, images.Count).Select(i => Description(answers, asked[i], i))];
    }

    /// <summary>
    /// Every task of <paramref name="tasks"/> for every image: one vision pass for the batch, then per task one encoder
    /// pass and one decoding loop over all the images.
    /// </summary>
    public async Task<Dictionary<FlorenceTask, FlorenceAnswer[]>> DescribeAsync(
        IReadOnlyList<ModelInputs> images, IReadOnlyList<FlorenceTask> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var batch = new TensorBatch(images, Preprocessing);
        var sizes = images.Select(i => (i.OriginalWidth, i.OriginalHeight)).ToList();
        var generated = await GenerateAsync(batch.Pixels, sizes, tasks, cancellationToken).ConfigureAwait(false);
        return generated.ToDictionary(pair => pair.Key, pair => pair.Value.Answers);
    }

    /// <summary>
    /// The tasks over pixels already in <see cref="Preprocessing"/>'s layout, one image after the other, with each
    /// image's size as uploaded: the generated ids (start token first, as transformers.js' generate() returns them)
    /// and what they say.
    /// </summary>
    internal async Task<Dictionary<FlorenceTask, (List<long>[] Ids, FlorenceAnswer[] Answers)>> GenerateAsync(
        Memory<float> pixels, IReadOnlyList<(int Width, int Height)> sizes, IReadOnlyList<FlorenceTask> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(tasks);
        var features = await SeeAsync(pixels, sizes.Count, cancellationToken).ConfigureAwait(false);
        var results = new Dictionary<FlorenceTask, (List<long>[] Ids, FlorenceAnswer[] Answers)>();
        foreach (var task in tasks.Distinct())
        {
            results[task] = await AnswerAsync(features, sizes, task, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    private Task<ImageFeatures> SeeAsync(Memory<float> pixels, int count, CancellationToken cancellationToken) =>
        _generator.SeeAsync(pixels, count, Preprocessing.OutputHeight, Preprocessing.OutputWidth, cancellationToken);

    /// <summary>One task for every image of <paramref name="features"/>, whose sizes as uploaded are <paramref name="sizes"/>.</summary>
    private async Task<(List<long>[] Ids, FlorenceAnswer[] Answers)> AnswerAsync(
        ImageFeatures features, IReadOnlyList<(int Width, int Height)> sizes, FlorenceTask task, CancellationToken cancellationToken)
    {
        var prompt = PromptIds(task);
        var ids = await _generator.GenerateAsync(features, [.. Enumerable.Repeat(prompt, features.Count)], Generation, cancellationToken)
            .ConfigureAwait(false);
        return (ids, [.. ids.Select((sequence, i) => FlorenceAnswer.Read(task, _tokenizer.Decode(sequence), sizes[i].Width, sizes[i].Height))]);
    }

    private FlorenceDescription Description(Dictionary<FlorenceTask, FlorenceAnswer?[]> answers, FlorenceTask? asked, int image)
    {
        var objects = _objects is null ? null : answers[_objects][image]!.Boxes;
        var description = new FlorenceDescription(
            answers[_altText][image]!.Text ?? "",
            _longDescription is null ? null : answers[_longDescription][image]!.Text,
            objects);
        if (asked is null)
        {
            return description;
        }

        var answer = answers[asked][image]!;
        return asked.Output switch
        {
            FlorenceOutputKind.LabelledBoxes => description with { Objects = answer.Boxes, Answer = string.Join(", ", answer.Boxes.Select(b => b.Label).Distinct()) },
            FlorenceOutputKind.TextQuads => description with
            {
                Answer = string.Join('\n', answer.Quads.Select(q => q.Text)),
                // Florence-2 gives no confidence for what it read: its lines count as certain.
                TextLines = [.. answer.Quads.Select(q => new TextLine(q.Text, 1f, [.. q.Corners.Select(c => new TextPoint(c.X, c.Y))]))],
            },
            _ => description with { Answer = answer.Text },
        };
    }

    /// <summary>The encoder's prompt for <paramref name="task"/>: <c>&lt;s&gt;</c>, the task's sentence, <c>&lt;/s&gt;</c>.</summary>
    internal IReadOnlyList<int> PromptIds(FlorenceTask task) => _tokenizer.EncodePrompt(task.Prompt);

    public void Dispose() => _generator.Dispose();

    private static FlorenceTask? Task(string? token) =>
        string.IsNullOrWhiteSpace(token) ? null : FlorenceTask.Find(token) ?? throw new ModelNotFoundException($"'{token}' is not a Florence-2 task.");
}
