using Microsoft.ML.OnnxRuntime;
using Pipeline.Imaging.Tensors;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Embeddings;

/// <summary>
/// The CLIP vision tower of a Xenova-layout export: <c>pixel_values</c> [N,3,224,224] → <c>image_embeds</c> [N,D],
/// projected but not normalised by the model, so normalised here.
/// </summary>
public sealed class ClipImageEmbedder : IImageEmbedder, IDisposable
{
    private const string InputName = "pixel_values";
    private const string OutputName = "image_embeds";

    private readonly InferenceSession _session;

    public ClipImageEmbedder(ImageEmbedderOptions options, OnnxSessionFactory sessions)
    {
        var folder = options.Path;
        if (!Directory.Exists(folder))
        {
            throw new ModelNotFoundException(
                $"The CLIP model folder '{folder}' does not exist (Models:ImageEmbedder:Path). " +
                "Fetch the model or generate a stand-in (see README, Models).");
        }

        var suffix = options.Variant == "quantized" ? "_quantized" : "";
        _session = sessions.Open(System.IO.Path.Combine(folder, "onnx", $"vision_model{suffix}.onnx"), "CLIP image");
        RequireTensor(_session.InputMetadata, InputName, "input");
        var output = RequireTensor(_session.OutputMetadata, OutputName, "output");
        Dimensions = output.Dimensions[^1] > 0
            ? output.Dimensions[^1]
            : throw new ModelNotFoundException($"'{OutputName}' of the CLIP model has no fixed embedding size.");

        var preprocessorPath = System.IO.Path.Combine(folder, "preprocessor_config.json");
        Preprocessing = File.Exists(preprocessorPath) ? PreprocessorConfig.Load(preprocessorPath) : PreprocessorConfig.Clip;
        var marker = StandInMarker.TryRead(folder);
        IsStandIn = marker is not null;
        ModelId = options.ModelId ?? marker?.ModelId ?? System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(folder));
    }

    public string ModelId { get; }

    public bool IsStandIn { get; }

    public int Dimensions { get; }

    public PreprocessorConfig Preprocessing { get; }

    public Task<float[][]> EmbedAsync(Memory<float> pixels, int count, CancellationToken cancellationToken)
    {
        var length = Preprocessing.TensorLength;
        if (pixels.Length < count * length)
        {
            throw new ArgumentException($"{count} images need {count * length} floats, got {pixels.Length}.", nameof(pixels));
        }

        // ONNX Runtime's Run is synchronous and CPU-bound: keep it off the caller's thread, cancellable through RunOptions.
        return Task.Run(() => Run(pixels[..(count * length)], count, cancellationToken), cancellationToken);
    }

    public void Dispose() => _session.Dispose();

    private float[][] Run(Memory<float> pixels, int count, CancellationToken cancellationToken)
    {
        long[] shape = [count, 3, Preprocessing.OutputHeight, Preprocessing.OutputWidth];
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pixels, shape);
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        using var outputs = _session.Run(runOptions, [InputName], [input], [OutputName]);

        var embeds = outputs[0].GetTensorDataAsSpan<float>();
        var result = new float[count][];
        for (var i = 0; i < count; i++)
        {
            result[i] = VectorMath.Normalize(embeds.Slice(i * Dimensions, Dimensions));
        }

        return result;
    }

    private static NodeMetadata RequireTensor(IReadOnlyDictionary<string, NodeMetadata> metadata, string name, string kind) =>
        metadata.TryGetValue(name, out var node)
            ? node
            : throw new ModelNotFoundException(
                $"The CLIP vision model has no {kind} named '{name}' (it has: {string.Join(", ", metadata.Keys)}); " +
                "expected the Xenova/clip-vit-base-patch32 layout.");
}
