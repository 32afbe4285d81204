using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Runtime;
using Pipeline.Inference.Tokenizers;

namespace Pipeline.Inference.Embeddings;

/// <summary>
/// The text tower of the same CLIP export as <see cref="ClipImageEmbedder"/> (same options, same folder), so that
/// a query and a picture land in one space. Xenova: a padded int64 batch; Immich: int32 [1,77] per text.
/// </summary>
public sealed class ClipTextEmbedder : ITextEmbedder, IDisposable
{
    private const string AttentionMask = "attention_mask";

    private readonly InferenceSession _session;
    private readonly ClipLayout _layout;
    private readonly ClipTokenizer _tokenizer;
    private readonly string _output;
    private readonly bool _oneTextPerRun;
    private readonly bool _takesAttentionMask;

    public ClipTextEmbedder(ImageEmbedderOptions options, OnnxSessionFactory sessions)
    {
        _layout = ClipLayout.Detect(options.Path, options.Variant);
        _session = sessions.Open(_layout.TextModel, "CLIP text");
        ClipTensors.RequireInput(_session, _layout.TextInput, _layout.Name);
        _output = ClipTensors.RequireOutput(_session, _layout.TextOutput, _layout.Name);
        _oneTextPerRun = _session.InputMetadata[_layout.TextInput].Dimensions[0] == 1;
        // transformers.js feeds only the inputs an export declares; a re-export with a mask gets one.
        _takesAttentionMask = _session.InputMetadata.ContainsKey(AttentionMask);
        _tokenizer = ClipTokenizer.FromFolder(_layout.TokenizerFolder);
        Dimensions = ClipTensors.EmbeddingSize(_session, _output);
        Identity = ModelIdentity.OfFolder(options.Path, options.ModelId);
    }

    public ModelIdentity Identity { get; }

    public int Dimensions { get; }

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return Task.Run(() => Run(texts, cancellationToken), cancellationToken);
    }

    public void Dispose() => _session.Dispose();

    private float[][] Run(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (texts.Count == 0)
        {
            return [];
        }

        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        if (!_oneTextPerRun)
        {
            return RunBatch(texts.Select(t => _layout.TextLength is { } fixedLength ? _tokenizer.EncodePadded(t, fixedLength) : _tokenizer.Encode(t)).ToList(), runOptions);
        }

        return texts.Select(t => RunBatch([_tokenizer.EncodePadded(t, _layout.TextLength ?? 77)], runOptions)[0]).ToArray();
    }

    private float[][] RunBatch(List<long[]> sequences, RunOptions runOptions)
    {
        var rows = sequences.Count;
        var length = sequences.Max(s => s.Length);
        var ids = new long[rows * length];
        var mask = new long[rows * length];
        Array.Fill(ids, _tokenizer.EndOfTextId);
        for (var r = 0; r < rows; r++)
        {
            sequences[r].CopyTo(ids, r * length);
            mask.AsSpan(r * length, sequences[r].Length).Fill(1);
        }

        long[] shape = [rows, length];
        var inputs = new List<OrtValue>(2);
        var names = new List<string>(2) { _layout.TextInput };
        try
        {
            inputs.Add(_layout.TextIsInt32
                ? OrtValue.CreateTensorValueFromMemory(ids.Select(i => (int)i).ToArray(), shape)
                : OrtValue.CreateTensorValueFromMemory(ids, shape));
            if (_takesAttentionMask)
            {
                names.Add(AttentionMask);
                inputs.Add(_layout.TextIsInt32
                    ? OrtValue.CreateTensorValueFromMemory(mask.Select(i => (int)i).ToArray(), shape)
                    : OrtValue.CreateTensorValueFromMemory(mask, shape));
            }

            using var outputs = _session.Run(runOptions, names, inputs, [_output]);
            return ClipTensors.NormalizedRows(outputs[0], rows, Dimensions);
        }
        finally
        {
            foreach (var input in inputs)
            {
                input.Dispose();
            }
        }
    }
}
