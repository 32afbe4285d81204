using Microsoft.ML.OnnxRuntime;
using Pipeline.StandInModels.Florence;
using D = Pipeline.StandInModels.Florence.FlorenceDimensions;

namespace Pipeline.StandInModels.Tests;

/// <summary>
/// Runs a stand-in Florence-2's four graphs in ONNX Runtime as transformers.js does for one image and one prompt:
/// vision encoder, prompt embedding, encoder over [image features, prompt], then the merged decoder on token embeddings
/// with the optimum cache protocol, &lt;s&gt; forced as the first generated token.
/// </summary>
internal sealed class FlorenceRunner(
    InferenceSession vision, InferenceSession embed, InferenceSession encoder, InferenceSession decoder, FlorenceDimensions dims)
{
    /// <summary>The <c>&lt;OD&gt;</c> prompt, "Locate the objects with category name in the image.", with &lt;s&gt; … &lt;/s&gt;.</summary>
    public static readonly long[] ObjectsPrompt = [0, 574, 22486, 5, 8720, 19, 4120, 766, 11, 5, 2274, 4, 2];

    /// <summary>The <c>&lt;CAPTION&gt;</c> prompt, "What does the image describe?".</summary>
    public static readonly long[] CaptionPrompt = [0, 2264, 473, 5, 2274, 6190, 116, 2];

    public const int PixelsPerImage = D.Channels * D.ImageSize * D.ImageSize;

    public FlorenceDimensions Dims { get; } = dims;

    /// <summary>pixel_values [batch, 3, 768, 768] → image_features [batch, 577, hidden].</summary>
    public float[] Vision(float[] pixels) =>
        Run(vision, [("pixel_values", OrtValue.CreateTensorValueFromMemory(pixels, [pixels.Length / PixelsPerImage, D.Channels, D.ImageSize, D.ImageSize]))],
            "image_features").Values;

    /// <summary>input_ids [batch, length] → inputs_embeds [batch, length, hidden].</summary>
    public float[] Embed(long[] ids, int batch = 1) =>
        Run(embed, [("input_ids", OrtValue.CreateTensorValueFromMemory(ids, [batch, ids.Length / batch]))], "inputs_embeds").Values;

    /// <summary>The encoder over one image's features and a prompt; returns last_hidden_state [1, 577 + prompt, hidden].</summary>
    public (float[] States, long[] Shape) Encode(float[] imageFeatures, long[] prompt, long[]? mask = null)
    {
        var embeds = imageFeatures.Concat(Embed(prompt)).ToArray();
        long length = D.ImageTokens + prompt.Length;
        mask ??= Enumerable.Repeat(1L, (int)length).ToArray();
        return Encode(embeds, mask);
    }

    public (float[] States, long[] Shape) Encode(float[] embeds, long[] mask) =>
        Run(encoder,
        [
            ("inputs_embeds", OrtValue.CreateTensorValueFromMemory(embeds, [1, mask.Length, Dims.Hidden])),
            ("attention_mask", OrtValue.CreateTensorValueFromMemory(mask, [1, mask.Length])),
        ], "last_hidden_state");

    /// <summary>Zero past tensors: decoder ones of the given length, encoder ones of <paramref name="encoderLength"/>.</summary>
    public Dictionary<string, (float[] Values, long[] Shape)> DummyPast(int length, int encoderLength)
    {
        var past = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
        for (var i = 0; i < Dims.DecoderLayers; i++)
        {
            foreach (var (name, size) in new[]
            {
                (BartDecoderGraph.PastDecoderKey(i), length), (BartDecoderGraph.PastDecoderValue(i), length),
                (BartDecoderGraph.PastEncoderKey(i), encoderLength), (BartDecoderGraph.PastEncoderValue(i), encoderLength),
            })
            {
                past[name] = (new float[Dims.Heads * size * Dims.HeadDim], [1, Dims.Heads, size, Dims.HeadDim]);
            }
        }

        return past;
    }

    /// <summary>Presents renamed to the past inputs of the next step.</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> AsPast(DecoderOutput output) =>
        output.Presents.ToDictionary(p => "past_key_values" + p.Key["present".Length..], p => p.Value, StringComparer.Ordinal);

    /// <summary>One merged-decoder run on the embeddings of <paramref name="ids"/> (batch 1).</summary>
    public DecoderOutput Decode(
        long[] ids, float[] states, long[] statesShape, long[] encoderMask,
        IReadOnlyDictionary<string, (float[] Values, long[] Shape)> past, bool useCache)
    {
        List<(string, OrtValue)> inputs =
        [
            (BartDecoderGraph.InputsEmbeds, OrtValue.CreateTensorValueFromMemory(Embed(ids), [1, ids.Length, Dims.Hidden])),
            (BartDecoderGraph.EncoderHiddenStates, OrtValue.CreateTensorValueFromMemory(states, statesShape)),
            (BartDecoderGraph.EncoderAttentionMask, OrtValue.CreateTensorValueFromMemory(encoderMask, [1, encoderMask.Length])),
            (BartDecoderGraph.UseCacheBranch, OrtValue.CreateTensorValueFromMemory(new[] { useCache }, [1])),
        ];
        inputs.AddRange(past.Select(p => (p.Key, OrtValue.CreateTensorValueFromMemory(p.Value.Values, p.Value.Shape))));
        var outputNames = decoder.OutputMetadata.Keys.ToList();
        var outputs = RunAll(decoder, inputs, outputNames);
        var (logits, logitsShape) = outputs[BartDecoderGraph.Logits];
        outputs.Remove(BartDecoderGraph.Logits);
        return new DecoderOutput(logits, logitsShape, outputs);
    }

    /// <summary>
    /// Greedy decoding with the cache until EOS or <paramref name="maxTokens"/>: the decoder starts from &lt;/s&gt; (2),
    /// the first generated token is forced to &lt;s&gt; (0) as generation_config's forced_bos_token_id does. Step 0 runs
    /// the no-past branch with a dummy past of <paramref name="firstPastLength"/>. Returns the sequence with its start.
    /// </summary>
    public List<long> Greedy(float[] states, long[] statesShape, long[] encoderMask, int maxTokens, int firstPastLength = 0)
    {
        List<long> sequence = [D.DecoderStartId];
        var past = DummyPast(firstPastLength, firstPastLength);
        for (var step = 0; step < maxTokens; step++)
        {
            var output = Decode([sequence[^1]], states, statesShape, encoderMask, past, useCache: step > 0);
            var next = step == 0 ? D.BeginningOfSequenceId : CaptionerRunner.ArgMax(output.Last(0));
            sequence.Add(next);
            if (next == D.EndOfSequenceId)
            {
                break;
            }

            // transformers.js keeps the first step's encoder keys/values (getPastKeyValues); the with-past branch
            // passes them through, so feeding its presents back is the same.
            past = AsPast(output);
        }

        return sequence;
    }

    /// <summary>Uniform noise in ImageNet-normalised units, [1, 3, 768, 768].</summary>
    public static float[] Noise(int seed)
    {
        var random = new Random(seed);
        var pixels = new float[PixelsPerImage];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)((random.NextDouble() * 4) - 2);
        }

        return pixels;
    }

    private static (float[] Values, long[] Shape) Run(InferenceSession session, List<(string Name, OrtValue Value)> inputs, string output) =>
        RunAll(session, inputs, [output])[output];

    private static Dictionary<string, (float[] Values, long[] Shape)> RunAll(
        InferenceSession session, List<(string Name, OrtValue Value)> inputs, List<string> outputNames)
    {
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputs.Select(i => i.Name).ToList(), inputs.Select(i => i.Value).ToList(), outputNames);
            var result = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
            for (var i = 0; i < outputNames.Count; i++)
            {
                result[outputNames[i]] = (outputs[i].GetTensorDataAsSpan<float>().ToArray(), outputs[i].GetTensorTypeAndShape().Shape);
            }

            return result;
        }
        finally
        {
            foreach (var (_, value) in inputs)
            {
                value.Dispose();
            }
        }
    }
}
