using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Runtime;
using Pipeline.Inference.Tokenizers.SentencePiece;

namespace Pipeline.Inference.Embeddings;

/// <summary>
/// M-CLIP's multilingual text tower in Immich's export (immich-app/XLM-Roberta-Large-Vit-B-32, <c>textual/</c>):
/// XLM-R tokens (<see cref="UnigramTokenizer"/>, padded and truncated to the graph's 77) as int32 <c>input_ids</c> and
/// <c>attention_mask</c> → <c>embedding</c> [1, 512], trained to land where CLIP ViT-B/32's text tower puts the same
/// sentence in English, so it queries ViT-B/32 image vectors. The graph is opened by path: its weights are in
/// external-data files beside it.
/// </summary>
public sealed class MClipTextEmbedder : ITextEmbedder, IDisposable
{
    public const string TextualFolder = "textual";
    public const string ModelFileName = "model.onnx";

    private const string InputIds = "input_ids";
    private const string AttentionMask = "attention_mask";
    private const string Output = "embedding";
    private const int DefaultContextLength = 77;

    private readonly InferenceSession _session;
    private readonly UnigramTokenizer _tokenizer;
    private readonly string _output;
    private readonly int _contextLength;
    private readonly bool _int32;

    public MClipTextEmbedder(QueryEmbedderOptions options, OnnxSessionFactory sessions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sessions);
        var textual = Directory.Exists(Path.Combine(options.Path, TextualFolder)) ? Path.Combine(options.Path, TextualFolder) : options.Path;
        _session = sessions.Open(Path.Combine(textual, ModelFileName), "M-CLIP text");
        foreach (var input in new[] { InputIds, AttentionMask })
        {
            if (!_session.InputMetadata.ContainsKey(input))
            {
                _session.Dispose();
                throw new ModelNotFoundException(
                    $"The M-CLIP text model in {textual} has no input '{input}' (it has: {string.Join(", ", _session.InputMetadata.Keys)}); expected Immich's XLM-Roberta-Large-Vit-B-32 export.");
            }
        }

        _output = _session.OutputMetadata.ContainsKey(Output) ? Output : _session.OutputNames[0];
        var idsShape = _session.InputMetadata[InputIds].Dimensions;
        _contextLength = idsShape.Length == 2 && idsShape[1] > 0 ? idsShape[1] : DefaultContextLength;
        _int32 = _session.InputMetadata[InputIds].ElementType == typeof(int);
        _tokenizer = UnigramTokenizer.FromFolder(textual);
        Dimensions = ClipTensors.EmbeddingSize(_session, _output);
        Identity = ModelIdentity.OfFolder(options.Path, options.ModelId);
    }

    public ModelIdentity Identity { get; }

    public int Dimensions { get; }

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return Task.Run(() => texts.Select(text => Embed(text, cancellationToken)).ToArray(), cancellationToken);
    }

    public void Dispose() => _session.Dispose();

    /// <summary>One text per run: Immich's export fixes the batch at 1.</summary>
    private float[] Embed(string text, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (ids, mask) = _tokenizer.EncodePadded(text, _contextLength);
        long[] shape = [1, _contextLength];
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        using var idsValue = _int32 ? OrtValue.CreateTensorValueFromMemory(ids, shape) : OrtValue.CreateTensorValueFromMemory(ids.Select(i => (long)i).ToArray(), shape);
        using var maskValue = _int32 ? OrtValue.CreateTensorValueFromMemory(mask, shape) : OrtValue.CreateTensorValueFromMemory(mask.Select(i => (long)i).ToArray(), shape);
        using var outputs = _session.Run(runOptions, [InputIds, AttentionMask], [idsValue, maskValue], [_output]);
        return ClipTensors.NormalizedRows(outputs[0], 1, Dimensions)[0];
    }
}
