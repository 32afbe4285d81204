using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference.Captioning;

/// <summary>The rows being decoded: their encoder states and their key/value cache.</summary>
internal sealed class DecoderState : IDisposable
{
    private readonly float[] _encoderData;
    private readonly long[] _encoderShape;

    public DecoderState(float[] encoderData, long[] encoderShape, OrtValue[] past, bool hasCache)
    {
        _encoderData = encoderData;
        _encoderShape = encoderShape;
        EncoderStates = OrtValue.CreateTensorValueFromMemory(encoderData, encoderShape);
        Past = past;
        HasCache = hasCache;
    }

    public int Rows => (int)_encoderShape[0];

    public OrtValue EncoderStates { get; }

    public OrtValue[] Past { get; private set; }

    /// <summary>False before the first step: the merged decoder then takes its no-cache branch.</summary>
    public bool HasCache { get; private set; }

    public void ReplaceCache(OrtValue[] presents)
    {
        foreach (var value in Past)
        {
            value.Dispose();
        }

        Past = presents;
        HasCache = true;
    }

    /// <summary>
    /// A new state holding the given rows, in that order (rows may repeat): drops finished sequences and
    /// reorders beams without re-running the encoder.
    /// </summary>
    public DecoderState Select(IReadOnlyList<int> rows)
    {
        var encoderShape = (long[])_encoderShape.Clone();
        encoderShape[0] = rows.Count;
        var encoder = Gather(_encoderData, _encoderShape, rows);
        var past = new OrtValue[Past.Length];
        for (var i = 0; i < past.Length; i++)
        {
            var shape = Past[i].GetTensorTypeAndShape().Shape;
            var data = Gather(Past[i].GetTensorDataAsSpan<float>(), shape, rows);
            var newShape = (long[])shape.Clone();
            newShape[0] = rows.Count;
            past[i] = OrtValue.CreateTensorValueFromMemory(data, newShape);
        }

        return new DecoderState(encoder, encoderShape, past, HasCache);
    }

    public void Dispose()
    {
        EncoderStates.Dispose();
        foreach (var value in Past)
        {
            value.Dispose();
        }
    }

    private static float[] Gather(ReadOnlySpan<float> data, long[] shape, IReadOnlyList<int> rows)
    {
        var rowLength = (int)(data.Length / shape[0]);
        var result = new float[rows.Count * rowLength];
        for (var i = 0; i < rows.Count; i++)
        {
            data.Slice(rows[i] * rowLength, rowLength).CopyTo(result.AsSpan(i * rowLength, rowLength));
        }

        return result;
    }
}
