using System.Buffers.Binary;
using Google.Protobuf;
using Pipeline.StandInModels.Onnx.Protobuf;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels.Onnx;

/// <summary>TensorProto factories. Data goes to raw_data (little-endian), as torch.onnx.export writes weights.</summary>
public static class Tensors
{
    public static TensorProto FromFloats(string name, ReadOnlySpan<long> dims, ReadOnlySpan<float> values)
    {
        CheckCount(dims, values.Length);
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return Create(name, DataType.Float, dims, bytes);
    }

    public static TensorProto FromInt64s(string name, ReadOnlySpan<long> dims, ReadOnlySpan<long> values)
    {
        CheckCount(dims, values.Length);
        var bytes = new byte[values.Length * sizeof(long)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        }

        return Create(name, DataType.Int64, dims, bytes);
    }

    public static TensorProto FromInt32s(string name, ReadOnlySpan<long> dims, ReadOnlySpan<int> values)
    {
        CheckCount(dims, values.Length);
        var bytes = new byte[values.Length * sizeof(int)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * sizeof(int)), values[i]);
        }

        return Create(name, DataType.Int32, dims, bytes);
    }

    /// <summary>Reads back a float tensor written with raw_data (used by tests and tooling).</summary>
    public static float[] ReadFloats(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DataType != (int)DataType.Float)
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' is not float.", nameof(tensor));
        }

        var raw = tensor.RawData.Span;
        var values = new float[raw.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
        }

        return values;
    }

    public static long ElementCount(ReadOnlySpan<long> dims)
    {
        long count = 1;
        foreach (var d in dims)
        {
            count = checked(count * d);
        }

        return count;
    }

    private static TensorProto Create(string name, DataType type, ReadOnlySpan<long> dims, byte[] bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)type,
            // The array is ours and never touched again, so wrapping it avoids copying large weights.
            RawData = UnsafeByteOperations.UnsafeWrap(bytes),
        };
        tensor.Dims.AddRange(dims.ToArray());
        return tensor;
    }

    private static void CheckCount(ReadOnlySpan<long> dims, int count)
    {
        if (ElementCount(dims) != count)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", dims.ToArray())}] needs {ElementCount(dims)} values, got {count}.");
        }
    }
}
