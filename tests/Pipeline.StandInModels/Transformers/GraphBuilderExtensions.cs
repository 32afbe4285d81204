using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels.Transformers;

/// <summary>
/// Ops the transformer stand-ins need beyond GraphBuilder.Ops.cs (comparisons, Split, If, and the integer ops of
/// onnxruntime's dynamic quantization). Extension methods rather than GraphBuilder members so they never clash with
/// helpers that other stand-ins add to the builder itself.
/// </summary>
public static class GraphBuilderExtensions
{
    public static string LessOrEqual(this GraphBuilder g, string a, string b, string? output = null) =>
        Builder(g).Op("LessOrEqual", [a, b], output);

    /// <summary>Split along <paramref name="axis"/> into parts of the given sizes (opset 13+ form: sizes as an input).</summary>
    public static IReadOnlyList<string> Split(this GraphBuilder g, string x, long[] sizes, long axis)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var split = Builder(g).Int64s(sizes);
        return g.AddNode("Split", [x, split], new string?[sizes.Length], [Attr.Of("axis", axis)]);
    }

    /// <summary>DynamicQuantizeLinear: uint8 values, float scale and uint8 zero point of a float tensor.</summary>
    public static (string Quantized, string Scale, string ZeroPoint) DynamicQuantizeLinear(this GraphBuilder g, string x)
    {
        var outputs = Builder(g).AddNode("DynamicQuantizeLinear", [x], [null, null, null]);
        return (outputs[0], outputs[1], outputs[2]);
    }

    public static string MatMulInteger(this GraphBuilder g, string a, string b, string aZeroPoint, string bZeroPoint, string? output = null) =>
        Builder(g).Op("MatMulInteger", [a, b, aZeroPoint, bZeroPoint], output);

    public static string ConvInteger(
        this GraphBuilder g, string x, string weight, string xZeroPoint, string weightZeroPoint, long[] kernelShape, long[] strides, string? output = null)
    {
        ArgumentNullException.ThrowIfNull(kernelShape);
        var spatial = kernelShape.Length;
        return Builder(g).Op("ConvInteger", [x, weight, xZeroPoint, weightZeroPoint], output,
            Attr.Of("dilations", Enumerable.Repeat(1L, spatial).ToArray()),
            Attr.Of("group", 1L),
            Attr.Of("kernel_shape", kernelShape),
            Attr.Of("pads", new long[spatial * 2]),
            Attr.Of("strides", strides));
    }

    public static string DequantizeLinear(this GraphBuilder g, string x, string scale, string zeroPoint, string? output = null) =>
        Builder(g).Op("DequantizeLinear", [x, scale, zeroPoint], output);

    /// <summary>
    /// If node whose outputs take the given names; both branches must produce that many outputs, in that order.
    /// ONNX names the branches then_branch (condition true) and else_branch.
    /// </summary>
    public static IReadOnlyList<string> If(this GraphBuilder g, string condition, GraphProto thenBranch, GraphProto elseBranch, IReadOnlyList<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(thenBranch);
        ArgumentNullException.ThrowIfNull(elseBranch);
        ArgumentNullException.ThrowIfNull(outputs);
        if (thenBranch.Output.Count != outputs.Count || elseBranch.Output.Count != outputs.Count)
        {
            throw new ArgumentException(
                $"If needs {outputs.Count} outputs from each branch; then has {thenBranch.Output.Count}, else has {elseBranch.Output.Count}.");
        }

        return Builder(g).AddNode("If", [condition], outputs.ToArray<string?>(),
            [Attr.Of("then_branch", thenBranch), Attr.Of("else_branch", elseBranch)]);
    }

    /// <summary>Int8/uint8 tensor stored as raw bytes (quantized weights and zero points).</summary>
    public static string Bytes(this GraphBuilder g, string name, DataType type, long[] dims, byte[] values)
    {
        if (type is not (DataType.Uint8 or DataType.Int8))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Only uint8 and int8 byte tensors are supported.");
        }

        if (Tensors.ElementCount(dims) != values.Length)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", dims)}] needs {Tensors.ElementCount(dims)} values, got {values.Length}.", nameof(values));
        }

        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)type,
            RawData = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(values),
        };
        tensor.Dims.AddRange(dims);
        return Builder(g).Initializer(tensor);
    }

    private static GraphBuilder Builder(GraphBuilder g)
    {
        ArgumentNullException.ThrowIfNull(g);
        return g;
    }
}
