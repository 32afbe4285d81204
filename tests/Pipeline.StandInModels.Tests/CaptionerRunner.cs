using Microsoft.ML.OnnxRuntime;
using Pipeline.StandInModels.Captioner;

namespace Pipeline.StandInModels.Tests;

/// <summary>Logits of every position and the present key/values of one merged-decoder run.</summary>
internal sealed record DecoderOutput(float[] Logits, long[] LogitsShape, IReadOnlyDictionary<string, (float[] Values, long[] Shape)> Presents)
{
    public int Vocab => (int)LogitsShape[2];

    /// <summary>Logits of one batch row at one position.</summary>
    public float[] At(int row, int position) =>
        Logits.AsSpan((int)(((row * LogitsShape[1]) + position) * Vocab), Vocab).ToArray();

    public float[] Last(int row) => At(row, (int)LogitsShape[1] - 1);
}

/// <summary>Runs a stand-in captioner's encoder and merged decoder in ONNX Runtime, following the optimum protocol.</summary>
internal sealed class CaptionerRunner(InferenceSession encoder, InferenceSession decoder, CaptionerDimensions dims)
{
    public const long Start = CaptionerDimensions.EndOfText;

    public CaptionerDimensions Dims { get; } = dims;

    /// <summary>pixel_values [batch, 3, 224, 224] → last_hidden_state [batch, 197, hidden].</summary>
    public (float[] States, long[] Shape) Encode(float[] pixels)
    {
        var batch = pixels.Length / CaptionerImages.PixelsPerImage;
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, [batch, 3, 224, 224]);
        using var runOptions = new RunOptions();
        using var outputs = encoder.Run(runOptions, [VitEncoderGraph.PixelValues], [input], [VitEncoderGraph.LastHiddenState]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
    }

    /// <summary>Zero past tensors of the given length for every layer (length 0 as transformers.js, 1 as the robust C# recipe).</summary>
    public Dictionary<string, (float[] Values, long[] Shape)> DummyPast(int batch, int length)
    {
        var past = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
        long[] shape = [batch, Dims.DecoderHeads, length, Dims.DecoderHeadDim];
        for (var i = 0; i < Dims.DecoderLayers; i++)
        {
            past[Gpt2DecoderGraph.PastKey(i)] = (new float[batch * Dims.DecoderHeads * length * Dims.DecoderHeadDim], shape);
            past[Gpt2DecoderGraph.PastValue(i)] = (new float[batch * Dims.DecoderHeads * length * Dims.DecoderHeadDim], shape);
        }

        return past;
    }

    /// <summary>Presents renamed to the past inputs of the next step.</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> AsPast(DecoderOutput output) =>
        output.Presents.ToDictionary(p => "past_key_values" + p.Key["present".Length..], p => p.Value, StringComparer.Ordinal);

    /// <summary>One merged-decoder run: input_ids [batch, ids.Length / batch].</summary>
    public DecoderOutput Decode(
        long[] ids, int batch, float[] encoderStates, long[] encoderShape,
        IReadOnlyDictionary<string, (float[] Values, long[] Shape)> past, bool useCache)
    {
        var values = new List<OrtValue>();
        var names = new List<string>();
        try
        {
            void Add(string name, OrtValue value)
            {
                names.Add(name);
                values.Add(value);
            }

            Add(Gpt2DecoderGraph.InputIds, OrtValue.CreateTensorValueFromMemory(ids, [batch, ids.Length / batch]));
            Add(Gpt2DecoderGraph.EncoderHiddenStates, OrtValue.CreateTensorValueFromMemory(encoderStates, encoderShape));
            foreach (var (name, (data, shape)) in past)
            {
                Add(name, OrtValue.CreateTensorValueFromMemory(data, shape));
            }

            Add(Gpt2DecoderGraph.UseCacheBranch, OrtValue.CreateTensorValueFromMemory(new[] { useCache }, [1]));

            var outputNames = decoder.OutputMetadata.Keys.ToList();
            using var runOptions = new RunOptions();
            using var outputs = decoder.Run(runOptions, names, values, outputNames);
            var presents = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
            float[]? logits = null;
            long[]? logitsShape = null;
            for (var i = 0; i < outputNames.Count; i++)
            {
                var data = outputs[i].GetTensorDataAsSpan<float>().ToArray();
                var shape = outputs[i].GetTensorTypeAndShape().Shape;
                if (outputNames[i] == Gpt2DecoderGraph.Logits)
                {
                    (logits, logitsShape) = (data, shape);
                }
                else
                {
                    presents[outputNames[i]] = (data, shape);
                }
            }

            return new DecoderOutput(logits!, logitsShape!, presents);
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>
    /// Greedy decoding with the KV cache: step 0 with use_cache_branch=false and a dummy past of
    /// <paramref name="firstPastLength"/>, then use_cache_branch=true feeding the presents back. Returns the generated
    /// ids (start token excluded) and the last-position logits of every step.
    /// </summary>
    public (long[][] Tokens, List<float[][]> StepLogits) Greedy(float[] encoderStates, long[] encoderShape, int steps, int firstPastLength = 1)
    {
        var batch = (int)encoderShape[0];
        var tokens = Enumerable.Range(0, batch).Select(_ => new List<long>()).ToArray();
        var stepLogits = new List<float[][]>();
        var ids = Enumerable.Repeat(Start, batch).ToArray();
        var past = DummyPast(batch, firstPastLength);
        for (var step = 0; step < steps; step++)
        {
            var output = Decode(ids, batch, encoderStates, encoderShape, past, useCache: step > 0);
            var rows = Enumerable.Range(0, batch).Select(output.Last).ToArray();
            stepLogits.Add(rows);
            for (var b = 0; b < batch; b++)
            {
                ids[b] = ArgMax(rows[b]);
                tokens[b].Add(ids[b]);
            }

            past = AsPast(output);
        }

        return (tokens.Select(t => t.ToArray()).ToArray(), stepLogits);
    }

    public static long ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}

/// <summary>ViT-normalised ([-1, 1]) CHW pixel batches.</summary>
internal static class CaptionerImages
{
    public const int PixelsPerImage = 3 * 224 * 224;

    /// <summary>Uniform noise in [-1, 1]: the hardest case for image dependence (every image has the same statistics).</summary>
    public static float[] Noise(int seed)
    {
        var random = new Random(seed);
        var pixels = new float[PixelsPerImage];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return pixels;
    }

    public static float[] Batch(params float[][] images) => images.SelectMany(i => i).ToArray();
}
