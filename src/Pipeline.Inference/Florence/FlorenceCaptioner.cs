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

    public async Task<IReadOnlyList<ModelResult>> RunAsync(IReadOnlyList<ModelInputs> images, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        var answers = await DescribeAsync(images, [_altText, .. new[] { _longDescription, _objects }.OfType<FlorenceTask>()], cancellationToken)
            .ConfigureAwait(false);
        return [.. Enumerable.Range(0, images.Count).Select(i => new FlorenceDescription(
            answers[_altText][i].Text ?? "",
            _longDescription is null ? null : answers[_longDescription][i].Text,
            _objects is null ? null : answers[_objects][i].Boxes))];
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
        var features = await _generator.SeeAsync(pixels, sizes.Count, Preprocessing.OutputHeight, Preprocessing.OutputWidth, cancellationToken)
            .ConfigureAwait(false);
        var results = new Dictionary<FlorenceTask, (List<long>[] Ids, FlorenceAnswer[] Answers)>();
        foreach (var task in tasks.Distinct())
        {
            var prompt = PromptIds(task);
            var ids = await _generator.GenerateAsync(features, [.. Enumerable.Repeat(prompt, sizes.Count)], Generation, cancellationToken)
                .ConfigureAwait(false);
            results[task] = (ids, [.. ids.Select((sequence, i) => FlorenceAnswer.Read(task, _tokenizer.Decode(sequence), sizes[i].Width, sizes[i].Height))]);
        }

        return results;
    }

    /// <summary>The encoder's prompt for <paramref name="task"/>: <c>&lt;s&gt;</c>, the task's sentence, <c>&lt;/s&gt;</c>.</summary>
    internal IReadOnlyList<int> PromptIds(FlorenceTask task) => _tokenizer.EncodePrompt(task.Prompt);

    public void Dispose() => _generator.Dispose();

    private static FlorenceTask? Task(string? token) =>
        string.IsNullOrWhiteSpace(token) ? null : FlorenceTask.Find(token) ?? throw new ModelNotFoundException($"'{token}' is not a Florence-2 task.");
}
