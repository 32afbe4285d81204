using Microsoft.ML.OnnxRuntime;
using Pipeline.Imaging.Tensors;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Embeddings;

/// <summary>
/// The image tower of a CLIP export in the Xenova or Immich layout (<see cref="ClipLayout"/>): one forward pass per
/// batch (per image where the export has a static batch of 1), vectors L2-normalised here whatever the export does.
/// </summary>
public sealed class ClipImageEmbedder : IImageModel
{
    private readonly InferenceSession _session;
    private readonly string _input;
    private readonly string _output;
    private readonly bool _oneImagePerRun;

    public ClipImageEmbedder(ImageEmbedderOptions options, OnnxSessionFactory sessions)
    {
        var layout = ClipLayout.Detect(options.Path, options.Variant);
        _session = sessions.Open(layout.VisionModel, "CLIP image");
        _input = ClipTensors.RequireInput(_session, layout.VisionInput, layout.Name);
        _output = ClipTensors.RequireOutput(_session, layout.VisionOutput, layout.Name);
        _oneImagePerRun = _session.InputMetadata[_input].Dimensions[0] == 1;
        Dimensions = ClipTensors.EmbeddingSize(_session, _output);
        Preprocessing = layout.Preprocessing;
        Identity = ModelIdentity.OfFolder(options.Path, options.ModelId);
        Needs = new TensorNeed(Preprocessing);
    }

    public ModelIdentity Identity { get; }

    public ModelRole Role => ModelRole.ImageEmbedder;

    public ImageNeed Needs { get; }

    public string Settings => $"{Dimensions} dimensions";

    public int Dimensions { get; }

    /// <summary>The pixel layout each image must be written in before <see cref="EmbedAsync"/>.</summary>
    public PreprocessorConfig Preprocessing { get; }

    public async Task<IReadOnlyList<ModelResult>> RunAsync(IReadOnlyList<ModelInputs> images, CancellationToken cancellationToken)
    {
        using var batch = new TensorBatch(images, Preprocessing);
        var vectors = await EmbedAsync(batch.Pixels, images.Count, cancellationToken).ConfigureAwait(false);
        return [.. vectors.Select(vector => new ImageEmbedding(vector))];
    }

    /// <param name="pixels"><paramref name="count"/> images, each <see cref="PreprocessorConfig.TensorLength"/> floats (CHW), back to back.</param>
    /// <returns>One unit-length vector per image, in input order.</returns>

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
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        if (!_oneImagePerRun)
        {
            return RunBatch(pixels, count, runOptions);
        }

        var length = Preprocessing.TensorLength;
        var result = new float[count][];
        for (var i = 0; i < count; i++)
        {
            result[i] = RunBatch(pixels.Slice(i * length, length), 1, runOptions)[0];
        }

        return result;
    }

    private float[][] RunBatch(Memory<float> pixels, int count, RunOptions runOptions)
    {
        long[] shape = [count, 3, Preprocessing.OutputHeight, Preprocessing.OutputWidth];
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pixels, shape);
        using var outputs = _session.Run(runOptions, [_input], [input], [_output]);
        return ClipTensors.NormalizedRows(outputs[0], count, Dimensions);
    }
}
