using Microsoft.ML.OnnxRuntime;
using Pipeline.Imaging.Tensors;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Generation;
using Pipeline.Inference.Runtime;
using Pipeline.Inference.Tokenizers;

namespace Pipeline.Inference.Captioning;

/// <summary>
/// A vision-encoder-decoder export (Mozilla/distilvit, Xenova/vit-gpt2-image-captioning): the ViT encoder runs once
/// per batch, then the merged GPT-2 decoder generates every caption of the batch together with its KV cache.
/// </summary>
public sealed class VisionEncoderDecoderCaptioner : IImageModel
{
    private const string PixelValues = "pixel_values";
    private const string LastHiddenState = "last_hidden_state";

    private readonly InferenceSession _encoder;
    private readonly MergedDecoder _decoder;
    private readonly Gpt2Tokenizer _tokenizer;

    public VisionEncoderDecoderCaptioner(CaptionerOptions options, OnnxSessionFactory sessions)
    {
        var folder = options.Path;
        if (!Directory.Exists(folder))
        {
            throw new ModelNotFoundException(
                $"The captioner folder '{folder}' does not exist (Models:Captioner:Path). Fetch the model (see docs/MODELS.md).");
        }

        var suffix = options.Variant == "quantized" ? "_quantized" : "";
        _encoder = sessions.Open(System.IO.Path.Combine(folder, "onnx", $"encoder_model{suffix}.onnx"), "captioner encoder");
        _decoder = new MergedDecoder(sessions.Open(System.IO.Path.Combine(folder, "onnx", $"decoder_model_merged{suffix}.onnx"), "captioner decoder"));
        if (!_encoder.InputMetadata.ContainsKey(PixelValues) || !_encoder.OutputMetadata.ContainsKey(LastHiddenState))
        {
            throw new ModelNotFoundException(
                $"The captioner encoder needs '{PixelValues}' → '{LastHiddenState}' (it has {string.Join(", ", _encoder.InputMetadata.Keys)} → " +
                $"{string.Join(", ", _encoder.OutputMetadata.Keys)}).");
        }

        Generation = GenerationSettings.Load(folder, options.NumBeams, options.MaxLength);
        _tokenizer = Gpt2Tokenizer.FromFolder(folder);
        Preprocessing = PreprocessorConfig.Load(System.IO.Path.Combine(folder, "preprocessor_config.json"));
        Identity = ModelIdentity.OfFolder(folder, options.ModelId);
        Needs = new TensorNeed(Preprocessing);
    }

    public ModelIdentity Identity { get; }

    public ModelRole Role => ModelRole.Captioner;

    public ImageNeed Needs { get; }

    /// <summary>The pixel layout each image must be written in (from the model's preprocessor_config.json).</summary>
    public PreprocessorConfig Preprocessing { get; }

    /// <summary>The decoding settings in force, from the model's config files and the options.</summary>
    public GenerationSettings Generation { get; }

    string IImageModel.Settings =>
        $"{Generation.NumBeams} beam(s), max length {Generation.MaxLength}, repetition penalty {Generation.RepetitionPenalty}, " +
        $"no-repeat n-gram {Generation.NoRepeatNgramSize}" +
        (Generation.ConfigAskedForSampling ? "; its generation config asks for sampling: decoding deterministically instead" : "");

    public async Task<IReadOnlyList<ModelResult>> RunAsync(IReadOnlyList<ModelInputs> images, CancellationToken cancellationToken)
    {
        using var batch = new TensorBatch(images, Preprocessing);
        return [.. await CaptionAsync(batch.Pixels, images.Count, cancellationToken).ConfigureAwait(false)];
    }

    /// <param name="pixels"><paramref name="count"/> images, each <see cref="PreprocessorConfig.TensorLength"/> floats (CHW).</param>
    /// <returns>One caption per image, in input order.</returns>

    public Task<IReadOnlyList<CaptionResult>> CaptionAsync(Memory<float> pixels, int count, CancellationToken cancellationToken)
    {
        var length = Preprocessing.TensorLength;
        if (pixels.Length < count * length)
        {
            throw new ArgumentException($"{count} images need {count * length} floats, got {pixels.Length}.", nameof(pixels));
        }

        return Task.Run<IReadOnlyList<CaptionResult>>(() => Caption(pixels[..(count * length)], count, cancellationToken), cancellationToken);
    }

    public void Dispose()
    {
        _encoder.Dispose();
        _decoder.Dispose();
    }

    private List<CaptionResult> Caption(Memory<float> pixels, int count, CancellationToken cancellationToken)
    {
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);

        var (encoderStates, encoderShape) = Encode(pixels, count, runOptions);
        using var state = _decoder.Start(encoderStates, encoderShape);
        var sequences = Generation.NumBeams > 1
            ? BeamSearch.Run(_decoder, state, Generation, runOptions, cancellationToken)
            : GreedySearch.Run(_decoder, state, Generation, runOptions, cancellationToken);

        return sequences.Select(tokens => new CaptionResult(_tokenizer.Decode(tokens), tokens)).ToList();
    }

    private (float[] States, long[] Shape) Encode(Memory<float> pixels, int count, RunOptions runOptions)
    {
        long[] shape = [count, 3, Preprocessing.OutputHeight, Preprocessing.OutputWidth];
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pixels, shape);
        using var outputs = _encoder.Run(runOptions, [PixelValues], [input], [LastHiddenState]);
        var output = outputs[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }
}
