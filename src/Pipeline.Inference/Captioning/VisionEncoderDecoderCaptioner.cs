using Microsoft.ML.OnnxRuntime;
using Pipeline.Imaging.Tensors;
using Pipeline.Inference.Runtime;
using Pipeline.Inference.Tokenizers;

namespace Pipeline.Inference.Captioning;

/// <summary>
/// A vision-encoder-decoder export (Mozilla/distilvit, Xenova/vit-gpt2-image-captioning): the ViT encoder runs once
/// per batch, then the merged GPT-2 decoder generates every caption of the batch together with its KV cache.
/// </summary>
public sealed class VisionEncoderDecoderCaptioner : IImageCaptioner, IDisposable
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

        Settings = GenerationSettings.Load(folder, options);
        _tokenizer = Gpt2Tokenizer.FromFolder(folder);
        Preprocessing = PreprocessorConfig.Load(System.IO.Path.Combine(folder, "preprocessor_config.json"));
        (ModelId, IsStandIn) = ModelIdentity.Of(folder, options.ModelId);
    }

    public string ModelId { get; }

    public bool IsStandIn { get; }

    public PreprocessorConfig Preprocessing { get; }

    /// <summary>The decoding settings in force, from the model's config files and the options.</summary>
    public GenerationSettings Settings { get; }

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
        var sequences = Settings.NumBeams > 1
            ? BeamSearch.Run(_decoder, state, Settings, runOptions, cancellationToken)
            : GreedySearch.Run(_decoder, state, Settings, runOptions, cancellationToken);

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
