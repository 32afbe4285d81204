using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference.Generation;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Florence;

/// <summary>
/// Florence-2's <c>decoder_model_merged</c> (optimum's seq2seq merge): it takes token embeddings, not ids (each step's
/// tokens go through <c>embed_tokens</c> first), the encoder states and their mask, and per layer a decoder and an
/// encoder key/value cache. The encoder entries are computed at the first step and kept from then on, as
/// transformers.js keeps them: the with-past branch's own encoder outputs are not fed back (SPEC §0.3).
/// </summary>
internal sealed class FlorenceDecoder : IDecoderStep
{
    private const string InputsEmbeds = "inputs_embeds";
    private const string EncoderHiddenStates = "encoder_hidden_states";
    private const string EncoderAttentionMask = "encoder_attention_mask";
    private const string UseCacheBranch = "use_cache_branch";
    private const string Logits = "logits";

    private readonly InferenceSession _session;
    private readonly FlorenceEmbedder _embedder;
    private readonly string[] _pastNames;
    private readonly string[] _outputNames;
    private readonly bool[] _isEncoderEntry;

    public FlorenceDecoder(InferenceSession session, FlorenceEmbedder embedder)
    {
        (_session, _embedder) = (session, embedder);
        var inputs = session.InputMetadata;
        foreach (var required in new[] { InputsEmbeds, EncoderHiddenStates, EncoderAttentionMask, UseCacheBranch })
        {
            if (!inputs.ContainsKey(required))
            {
                throw new ModelNotFoundException(
                    $"The Florence-2 decoder has no input '{required}' (it has: {string.Join(", ", inputs.Keys)}); expected decoder_model_merged.onnx.");
            }
        }

        var layers = inputs.Keys.Count(name => name.StartsWith("past_key_values.", StringComparison.Ordinal) && name.EndsWith(".decoder.key", StringComparison.Ordinal));
        string[] entries = ["decoder.key", "decoder.value", "encoder.key", "encoder.value"];
        _pastNames = [.. Enumerable.Range(0, layers).SelectMany(i => entries.Select(entry => $"past_key_values.{i}.{entry}"))];
        _outputNames = [Logits, .. Enumerable.Range(0, layers).SelectMany(i => entries.Select(entry => $"present.{i}.{entry}"))];
        _isEncoderEntry = [.. _pastNames.Select(name => name.Contains(".encoder.", StringComparison.Ordinal))];
        var shape = inputs[_pastNames[0]].Dimensions;
        (Heads, HeadSize) = (shape[1], shape[3]);
        if (layers == 0 || Heads <= 0 || HeadSize <= 0)
        {
            throw new ModelNotFoundException("The Florence-2 decoder's past_key_values inputs do not have fixed head counts and sizes.");
        }
    }

    public int Heads { get; }

    public int HeadSize { get; }

    public float[][] Step(DecoderState state, IReadOnlyList<long> tokens, RunOptions runOptions)
    {
        using var embeds = _embedder.Embed([.. tokens], state.Rows, 1, runOptions);
        using var useCache = OrtValue.CreateTensorValueFromMemory(new[] { state.HasCache }, [1]);
        List<string> names = [InputsEmbeds, EncoderHiddenStates, EncoderAttentionMask, UseCacheBranch, .. _pastNames];
        List<OrtValue> values = [embeds, state.EncoderStates, state.EncoderMask!, useCache, .. state.Past];

        var outputs = _session.Run(runOptions, names, values, _outputNames);
        try
        {
            var result = LastLogits.Of(outputs[0]);
            var presents = new OrtValue[_pastNames.Length];
            for (var i = 0; i < presents.Length; i++)
            {
                if (state.HasCache && _isEncoderEntry[i])
                {
                    presents[i] = state.Past[i];
                    outputs[i + 1].Dispose();
                }
                else
                {
                    presents[i] = outputs[i + 1];
                }
            }

            state.ReplaceCache(presents);
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
    public DecoderState Start(float[] encoderStates, long[] encoderShape, long[] encoderMask)
    {
        var rows = (int)encoderShape[0];
        var past = _pastNames
            .Select(_ => OrtValue.CreateTensorValueFromMemory(new float[rows * Heads * HeadSize], [rows, Heads, 1, HeadSize]))
            .ToArray();
        return new DecoderState(encoderStates, encoderShape, past, hasCache: false, encoderMask);
    }
}
