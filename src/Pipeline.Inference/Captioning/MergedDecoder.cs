using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference.Generation;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Captioning;

/// <summary>
/// An optimum <c>decoder_model_merged</c> graph: <c>input_ids</c>, <c>encoder_hidden_states</c>,
/// <c>past_key_values.{i}.key|value</c> and <c>use_cache_branch</c> in; <c>logits</c> and <c>present.{i}.key|value</c> out.
/// Names and cache shapes are read from the session's metadata, never assumed.
/// </summary>
internal sealed class MergedDecoder : IDecoderStep, IDisposable
{
    private const string InputIds = "input_ids";
    private const string EncoderHiddenStates = "encoder_hidden_states";
    private const string UseCacheBranch = "use_cache_branch";
    private const string Logits = "logits";

    private readonly InferenceSession _session;
    private readonly string[] _pastNames;
    private readonly string[] _outputNames;

    public MergedDecoder(InferenceSession session)
    {
        _session = session;
        var inputs = session.InputMetadata;
        foreach (var required in new[] { InputIds, EncoderHiddenStates, UseCacheBranch })
        {
            if (!inputs.ContainsKey(required))
            {
                throw new ModelNotFoundException(
                    $"The decoder has no input '{required}' (it has: {string.Join(", ", inputs.Keys)}); " +
                    "expected optimum's merged decoder (decoder_model_merged.onnx).");
            }
        }

        Layers = inputs.Keys.Count(name => name.StartsWith("past_key_values.", StringComparison.Ordinal) && name.EndsWith(".key", StringComparison.Ordinal));
        _pastNames = Enumerable.Range(0, Layers).SelectMany(i => new[] { $"past_key_values.{i}.key", $"past_key_values.{i}.value" }).ToArray();
        _outputNames = [Logits, .. Enumerable.Range(0, Layers).SelectMany(i => new[] { $"present.{i}.key", $"present.{i}.value" })];
        var pastShape = inputs[_pastNames[0]].Dimensions;
        Heads = pastShape[1];
        HeadSize = pastShape[3];
        if (Layers == 0 || Heads <= 0 || HeadSize <= 0)
        {
            throw new ModelNotFoundException("The decoder's past_key_values inputs do not have fixed head counts and sizes.");
        }
    }

    public int Layers { get; }

    public int Heads { get; }

    public int HeadSize { get; }

    /// <summary>
    /// Runs one step for every row: the next token of each sequence in, its scores over the vocabulary out.
    /// The cache grows inside <paramref name="state"/>.
    /// </summary>
    public float[][] Step(DecoderState state, IReadOnlyList<long> tokens, RunOptions runOptions)
    {
        var rows = state.Rows;
        using var ids = OrtValue.CreateTensorValueFromMemory(tokens.ToArray(), [rows, 1]);
        using var useCache = OrtValue.CreateTensorValueFromMemory(new[] { state.HasCache }, [1]);
        var names = new List<string>(3 + _pastNames.Length) { InputIds, EncoderHiddenStates, UseCacheBranch };
        names.AddRange(_pastNames);
        var values = new List<OrtValue>(names.Count) { ids, state.EncoderStates, useCache };
        values.AddRange(state.Past);

        var outputs = _session.Run(runOptions, names, values, _outputNames);
        try
        {
            var result = LastLogits.Of(outputs[0]);
            state.ReplaceCache(outputs.Skip(1).ToArray());
            outputs[0].Dispose();
            return result;
        }
        catch
        {
            outputs.Dispose();
            throw;
        }
    }

    /// <summary>The state for the first step: no-cache branch, with past tensors of length 1 that it never reads.</summary>
    public DecoderState Start(float[] encoderStates, long[] encoderShape)
    {
        var rows = (int)encoderShape[0];
        var past = new OrtValue[_pastNames.Length];
        for (var i = 0; i < past.Length; i++)
        {
            // Zero-length pasts trip some exports' Reshape nodes (SPEC §0.3); the no-cache branch ignores these anyway.
            past[i] = OrtValue.CreateTensorValueFromMemory(new float[rows * Heads * HeadSize], [rows, Heads, 1, HeadSize]);
        }

        return new DecoderState(encoderStates, encoderShape, past, hasCache: false);
    }

    public void Dispose() => _session.Dispose();
}
