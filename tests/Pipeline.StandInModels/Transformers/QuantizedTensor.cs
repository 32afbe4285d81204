using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels.Transformers;

/// <summary>Per-tensor linear quantization as onnxruntime's quantizer computes it (round half to even).</summary>
public sealed record QuantizedTensor(byte[] Values, DataType Type, float Scale, byte ZeroPoint)
{
    public static QuantizedTensor Quantize(ReadOnlySpan<float> values, WeightQuantization mode)
    {
        float min = 0, max = 0;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        var bytes = new byte[values.Length];
        switch (mode)
        {
            case WeightQuantization.Int8Symmetric:
            {
                var absMax = Math.Max(Math.Abs(min), Math.Abs(max));
                var scale = absMax > 0 ? absMax / 127f : 1f;
                for (var i = 0; i < values.Length; i++)
                {
                    var q = Math.Clamp(Math.Round(values[i] / (double)scale, MidpointRounding.ToEven), -127, 127);
                    bytes[i] = unchecked((byte)(sbyte)q);
                }

                return new QuantizedTensor(bytes, DataType.Int8, scale, 0);
            }

            case WeightQuantization.UInt8Asymmetric:
            {
                var scale = max > min ? (max - min) / 255f : 1f;
                var zeroPoint = (byte)Math.Clamp(Math.Round(-min / (double)scale, MidpointRounding.ToEven), 0, 255);
                for (var i = 0; i < values.Length; i++)
                {
                    bytes[i] = (byte)Math.Clamp(Math.Round(values[i] / (double)scale, MidpointRounding.ToEven) + zeroPoint, 0, 255);
                }

                return new QuantizedTensor(bytes, DataType.Uint8, scale, zeroPoint);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a quantized storage mode.");
        }
    }

    /// <summary>The float value a stored element stands for.</summary>
    public float Dequantize(int index) =>
        Type == DataType.Int8
            ? unchecked((sbyte)Values[index]) * Scale
            : (Values[index] - ZeroPoint) * Scale;
}
