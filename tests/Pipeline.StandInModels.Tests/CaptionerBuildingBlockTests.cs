using Pipeline.StandInModels.Transformers;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels.Tests;

public sealed class CaptionerBuildingBlockTests
{
    private static readonly float[] Weights = [-0.5f, -0.25f, 0f, 0.1f, 0.3f, 1.2f, -0.07f];

    [Fact]
    public void Int8QuantizationIsSymmetricWithinHalfAStep()
    {
        var q = QuantizedTensor.Quantize(Weights, WeightQuantization.Int8Symmetric);

        Assert.Equal(DataType.Int8, q.Type);
        Assert.Equal(0, q.ZeroPoint);
        Assert.Equal(1.2f / 127, q.Scale, 1e-7f);
        Assert.Equal(127, unchecked((sbyte)q.Values[5]));
        for (var i = 0; i < Weights.Length; i++)
        {
            Assert.True(Math.Abs(q.Dequantize(i) - Weights[i]) <= (q.Scale / 2) + 1e-7, $"element {i}");
        }
    }

    [Fact]
    public void UInt8QuantizationCoversTheRangeAndZeroExactly()
    {
        var q = QuantizedTensor.Quantize(Weights, WeightQuantization.UInt8Asymmetric);

        Assert.Equal(DataType.Uint8, q.Type);
        Assert.Equal(1.7f / 255, q.Scale, 1e-7f);
        Assert.Equal(0f, q.Dequantize(2));
        Assert.Equal(0, q.Values[0]);
        Assert.Equal(255, q.Values[5]);
        for (var i = 0; i < Weights.Length; i++)
        {
            Assert.True(Math.Abs(q.Dequantize(i) - Weights[i]) <= (q.Scale / 2) + 1e-6, $"element {i}");
        }
    }

    [Theory]
    [InlineData("transformer.h.0.attn.c_attn", "transformer/h.0/attn/c_attn")]
    [InlineData("encoder.layer.11.attention.output.dense", "encoder/layer.11/attention/output/dense")]
    [InlineData("layernorm", "layernorm")]
    public void ScopePathsFollowTorchModuleNames(string module, string scope) =>
        Assert.Equal(scope, LayerBuilder.ScopePath(module));

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(2.0)]
    public void GeluMeanMatchesNumericalIntegration(double sigma)
    {
        // E[z Φ(z)], z ~ N(0, σ²), by the trapezoid rule over ±10σ.
        double sum = 0;
        const int steps = 200_000;
        var h = 20 * sigma / steps;
        for (var i = 0; i <= steps; i++)
        {
            var z = (-10 * sigma) + (i * h);
            var density = Math.Exp(-z * z / (2 * sigma * sigma)) / (sigma * Math.Sqrt(2 * Math.PI));
            var gelu = z * 0.5 * (1 + Erf(z / Math.Sqrt(2)));
            sum += (i == 0 || i == steps ? 0.5 : 1) * gelu * density * h;
        }

        Assert.Equal(sum, LayerBuilder.GeluMean(sigma), 1e-6);
    }

    /// <summary>erf by Numerical Recipes' erfc Chebyshev fit (|error| &lt; 1.2e-7), independent of the code under test.</summary>
    private static double Erf(double x)
    {
        double[] coefficients = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        double polynomial = 0;
        for (var i = coefficients.Length - 1; i >= 0; i--)
        {
            polynomial = (polynomial * t) + coefficients[i];
        }

        var erfc = t * Math.Exp((-z * z) + polynomial);
        return x >= 0 ? 1 - erfc : erfc - 1;
    }
}
