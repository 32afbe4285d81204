using Pipeline.StandInModels.Onnx.Protobuf;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels.Onnx;

/// <summary>Helpers for the default-domain ops that HF encoder/decoder exports use.</summary>
public sealed partial class GraphBuilder
{
    public string Add(string a, string b, string? output = null) => Op("Add", [a, b], output);

    public string Sub(string a, string b, string? output = null) => Op("Sub", [a, b], output);

    public string Mul(string a, string b, string? output = null) => Op("Mul", [a, b], output);

    public string Div(string a, string b, string? output = null) => Op("Div", [a, b], output);

    public string Pow(string a, string exponent, string? output = null) => Op("Pow", [a, exponent], output);

    public string MatMul(string a, string b, string? output = null) => Op("MatMul", [a, b], output);

    public string Equal(string a, string b, string? output = null) => Op("Equal", [a, b], output);

    public string Where(string condition, string whenTrue, string whenFalse, string? output = null) =>
        Op("Where", [condition, whenTrue, whenFalse], output);

    public string Sqrt(string x, string? output = null) => Op("Sqrt", [x], output);

    public string Tanh(string x, string? output = null) => Op("Tanh", [x], output);

    public string Sigmoid(string x, string? output = null) => Op("Sigmoid", [x], output);

    public string Erf(string x, string? output = null) => Op("Erf", [x], output);

    public string Identity(string x, string? output = null) => Op("Identity", [x], output);

    public string Cast(string x, DataType to, string? output = null) => Op("Cast", [x], output, Attr.Of("to", (int)to));

    public string Shape(string x, string? output = null) => Op("Shape", [x], output);

    public string Gather(string data, string indices, long axis = 0, string? output = null) =>
        Op("Gather", [data, indices], output, Attr.Of("axis", axis));

    public string Concat(IReadOnlyList<string> inputs, long axis, string? output = null) =>
        Op("Concat", inputs, output, Attr.Of("axis", axis));

    public string Reshape(string x, string shape, string? output = null) => Op("Reshape", [x, shape], output);

    public string Reshape(string x, long[] shape, string? output = null) => Reshape(x, Int64s(shape), output);

    public string Transpose(string x, long[] perm, string? output = null) =>
        Op("Transpose", [x], output, Attr.Of("perm", perm));

    public string Expand(string x, string shape, string? output = null) => Op("Expand", [x, shape], output);

    public string Range(string start, string limit, string delta, string? output = null) =>
        Op("Range", [start, limit, delta], output);

    public string Slice(string x, string starts, string ends, string? axes = null, string? steps = null, string? output = null)
    {
        List<string> inputs = [x, starts, ends];
        if (axes is not null || steps is not null)
        {
            inputs.Add(axes ?? "");
        }

        if (steps is not null)
        {
            inputs.Add(steps);
        }

        return Op("Slice", inputs, output);
    }

    // Axes moved from attribute to input in opset 13 for Unsqueeze/Squeeze.
    public string Unsqueeze(string x, long[] axes, string? output = null) => Op("Unsqueeze", [x, Int64s(axes)], output);

    public string Squeeze(string x, long[] axes, string? output = null) => Op("Squeeze", [x, Int64s(axes)], output);

    public string Softmax(string x, long axis = -1, string? output = null) =>
        Op("Softmax", [x], output, Attr.Of("axis", axis));

    public string ArgMax(string x, long axis, bool keepDims = false, string? output = null) =>
        Op("ArgMax", [x], output, Attr.Of("axis", axis), Attr.Of("keepdims", keepDims ? 1 : 0));

    // Axes moved from attribute to input in opset 18 for the Reduce* family.
    public string ReduceMean(string x, long[] axes, bool keepDims = true, string? output = null) =>
        Opset >= 18
            ? Op("ReduceMean", [x, Int64s(axes)], output, Attr.Of("keepdims", keepDims ? 1 : 0))
            : Op("ReduceMean", [x], output, Attr.Of("axes", axes), Attr.Of("keepdims", keepDims ? 1 : 0));

    /// <summary>LayerNormalization over the trailing axes from <paramref name="axis"/>; the op exists from opset 17.</summary>
    public string LayerNormalization(string x, string scale, string bias, long axis = -1, float epsilon = 1e-5f, string? output = null)
    {
        if (Opset < 17)
        {
            throw new InvalidOperationException($"LayerNormalization needs opset 17 or newer; this graph imports opset {Opset}.");
        }

        return Op("LayerNormalization", [x, scale, bias], output, Attr.Of("axis", axis), Attr.Of("epsilon", epsilon));
    }

    /// <summary>Y = alpha * op(A) * op(B) + beta * C, with op = transpose when requested (nn.Linear is Gemm with transB).</summary>
    public string Gemm(string a, string b, string? c = null, float alpha = 1f, float beta = 1f, bool transA = false, bool transB = false, string? output = null)
    {
        List<string> inputs = c is null ? [a, b] : [a, b, c];
        return Op("Gemm", inputs, output,
            Attr.Of("alpha", alpha), Attr.Of("beta", beta),
            Attr.Of("transA", transA ? 1 : 0), Attr.Of("transB", transB ? 1 : 0));
    }

    /// <summary>2-D convolution; <paramref name="pads"/> is [top, left, bottom, right] and defaults to none.</summary>
    public string Conv(
        string x,
        string weight,
        string? bias,
        long[] kernelShape,
        long[] strides,
        long[]? pads = null,
        long[]? dilations = null,
        long group = 1,
        string? output = null)
    {
        List<string> inputs = bias is null ? [x, weight] : [x, weight, bias];
        var spatial = kernelShape.Length;
        return Op("Conv", inputs, output,
            Attr.Of("dilations", dilations ?? Enumerable.Repeat(1L, spatial).ToArray()),
            Attr.Of("group", group),
            Attr.Of("kernel_shape", kernelShape),
            Attr.Of("pads", pads ?? new long[spatial * 2]),
            Attr.Of("strides", strides));
    }
}
