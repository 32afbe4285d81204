using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference.Generation;

/// <summary>
/// The rows being decoded: their encoder states (and, for encoders that take padded prompts, which of their positions
/// are real) and their key/value cache.
/// </summary>
internal sealed class DecoderState : IDisposable
{
    private readonly float[] _encoderData;
    private readonly long[] _encoderShape;
    private readonly long[]? _encoderMaskData;

    public DecoderState(float[] encoderData, long[] encoderShape, OrtValue[] past, bool hasCache, long[]? encoderMask = null)
    {
        _encoderData = encoderData;
        _encoderShape = encoderShape;
        _encoderMaskData = encoderMask;
        EncoderStates = OrtValue.CreateTensorValueFromMemory(encoderData, encoderShape);
        EncoderMask = encoderMask is null ? null : OrtValue.CreateTensorValueFromMemory(encoderMask, [encoderShape[0], encoderShape[1]]);
        Past = past;
        HasCache = hasCache;
    }

    public int Rows => (int)_encoderShape[0];

    public OrtValue EncoderStates { get; }

    /// <summary>1 where an encoder position is real, 0 where it is padding ([rows, positions] int64); null when all are real.</summary>
    public OrtValue? EncoderMask { get; }

    public OrtValue[] Past { get; private set; }

    /// <summary>False before the first step: the merged decoder then takes its no-cache branch.</summary>
    public bool HasCache { get; private set; }

    /// <summary>The step's presents become the past; entries passed on unchanged (the same value) are kept, not disposed.</summary>
    public void ReplaceCache(OrtValue[] presents)
    {
        foreach (var value in Past.Where(value => !presents.Contains(value)))
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

        var mask = _encoderMaskData is null ? null : Gather(_encoderMaskData, [_encoderShape[0], _encoderShape[1]], rows);
        return new DecoderState(encoder, encoderShape, past, HasCache, mask);
    }

    public void Dispose()
    {
        EncoderStates.Dispose();
        EncoderMask?.Dispose();
        foreach (var value in Past)
        {
            value.Dispose();
        }
    }

    private static T[] Gather<T>(ReadOnlySpan<T> data, long[] shape, IReadOnlyList<int> rows)
    {
        var rowLength = (int)(data.Length / shape[0]);
        var result = new T[rows.Count * rowLength];
        for (var i = 0; i < rows.Count; i++)
        {
            data.Slice(rows[i] * rowLength, rowLength).CopyTo(result.AsSpan(i * rowLength, rowLength));
        }

        return result;
    }
}
