using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels.Tests;

public sealed class GraphBuilderTests
{
    private static readonly float[] Input = [1, 2, 3, 4, -1, 0.5f, 2, -3];

    /// <summary>Runs the op helpers in ONNX Runtime against values computed by hand, for both ReduceMean forms.</summary>
    [Theory]
    [InlineData(17)]
    [InlineData(18)]
    public void OpHelpersComputeWhatTheySay(int opset)
    {
        var g = new GraphBuilder("ops", opset, seed: 3);
        var x = g.Input("x", DataType.Float, "batch", 4);

        // Gemm with transB, as nn.Linear exports: y = x W^T + b
        var w = g.Floats("w", [1, 0, 0, 0, 0, 1, 1, 0], 2, 4);
        var b = g.Floats("b", [0.5f, -0.5f], 2);
        var linear = g.Gemm(x, w, b, transB: true, output: "linear");
        g.Output(linear, DataType.Float, "batch", 2);
        g.Output(g.Softmax(linear, output: "softmax"), DataType.Float, "batch", 2);

        // Shape -> Gather -> Unsqueeze -> Concat -> Reshape -> ReduceMean -> MatMul
        var batch = g.Unsqueeze(g.Gather(g.Shape(x), g.Int64Scalar(0)), [0]);
        var grid = g.Reshape(x, g.Concat([batch, g.Int64s([2, 2])], axis: 0));
        var rowMeans = g.ReduceMean(grid, [2], keepDims: false, output: "row_means");
        g.Output(rowMeans, DataType.Float, "batch", 2);
        var swapped = g.MatMul(g.Transpose(grid, [0, 2, 1]), g.Floats("ones", [1, 1], 2, 1));
        g.Output(g.Squeeze(swapped, [2], output: "column_sums"), DataType.Float, "batch", 2);

        var normalised = g.LayerNormalization(x, g.Floats("gamma", [1, 1, 1, 1], 4), g.Floats("beta", [0, 0, 0, 0], 4), output: "layer_norm");
        g.Output(normalised, DataType.Float, "batch", 4);

        var results = Run(g.ToModel(), Input, [2, 4], "linear", "softmax", "row_means", "column_sums", "layer_norm");

        AssertClose([1.5f, 4.5f, -0.5f, 2f], results["linear"]);
        AssertClose([Sigmoid(-3), Sigmoid(3), Sigmoid(-2.5f), Sigmoid(2.5f)], results["softmax"]);
        AssertClose([1.5f, 3.5f, -0.25f, -0.5f], results["row_means"]);
        AssertClose([4f, 6f, 1f, -2.5f], results["column_sums"]);
        AssertClose(LayerNorm([1, 2, 3, 4]).Concat(LayerNorm([-1, 0.5f, 2, -3])).ToArray(), results["layer_norm"]);
    }

    [Fact]
    public void ReduceMeanUsesTheFormOfTheOpset()
    {
        var attributeForm = new GraphBuilder("g", opset: 17);
        attributeForm.ReduceMean(attributeForm.Input("x", DataType.Float, 2, 3), [1]);
        var inputForm = new GraphBuilder("g", opset: 18);
        inputForm.ReduceMean(inputForm.Input("x", DataType.Float, 2, 3), [1]);

        Assert.Contains(attributeForm.ToGraph().Node.Single().Attribute, a => a.Name == "axes");
        Assert.Equal(2, inputForm.ToGraph().Node.Single().Input.Count);
    }

    [Fact]
    public void NodeNamesFollowScopesAndStayUnique()
    {
        var g = new GraphBuilder("g");
        var x = g.Input("x", DataType.Float, 2);
        string first, second;
        using (g.Scope("encoder"))
        using (g.Scope("layer.0"))
        {
            first = g.Add(x, x);
            second = g.Add(first, x);
        }

        var third = g.Add(second, x);

        Assert.Equal("/encoder/layer.0/Add_output_0", first);
        Assert.Equal("/encoder/layer.0/Add_1_output_0", second);
        Assert.Equal("/Add_output_0", third);
        Assert.Equal(["/encoder/layer.0/Add", "/encoder/layer.0/Add_1", "/Add"], g.ToGraph().Node.Select(n => n.Name));
    }

    [Fact]
    public void UnknownAndDuplicateValuesAreRejected()
    {
        var g = new GraphBuilder("g");
        var x = g.Input("x", DataType.Float, 2);

        Assert.Throws<InvalidOperationException>(() => g.Add(x, "typo"));
        Assert.Throws<InvalidOperationException>(() => g.Input("x", DataType.Float, 2));
        Assert.Throws<InvalidOperationException>(() => g.Output("missing", DataType.Float, 2));
    }

    [Fact]
    public void RandomWeightsDependOnSeedAndNameOnly()
    {
        static float[] Weight(long seed, string name, bool withOtherTensorFirst)
        {
            var g = new GraphBuilder("g", seed: seed);
            if (withOtherTensorFirst)
            {
                g.RandomWeight("other", 4, 4);
            }

            g.RandomWeight(name, 16, 64);
            return Tensors.ReadFloats(g.ToGraph().Initializer.Single(t => t.Name == name));
        }

        Assert.Equal(Weight(1, "w", false), Weight(1, "w", true));
        Assert.NotEqual(Weight(1, "w", false), Weight(2, "w", false));
        Assert.NotEqual(Weight(1, "w", false), Weight(1, "v", false));
    }

    [Fact]
    public void NormalSamplesHaveUnitVariance()
    {
        var random = DeterministicRandom.ForTensor(11, "t");
        var samples = Enumerable.Range(0, 200_000).Select(_ => random.NextNormal()).ToArray();
        var mean = samples.Average();
        var variance = samples.Select(s => (s - mean) * (s - mean)).Average();

        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);
    }

    [Fact]
    public void ZeroValuedScalarsAreStillWritten()
    {
        // proto3 would drop i = 0 without `optional`; ONNX readers written against proto2 expect presence.
        var attribute = AttributeProto.Parser.ParseFrom(Attr.Of("axis", 0L).ToByteArray());
        var dimension = TensorShapeProto.Types.Dimension.Parser.ParseFrom(new TensorShapeProto.Types.Dimension { DimValue = 0 }.ToByteArray());

        Assert.True(attribute.HasI);
        Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue, dimension.ValueCase);
    }

    private static Dictionary<string, float[]> Run(ModelProto model, float[] input, long[] shape, params string[] outputs)
    {
        using var session = new InferenceSession(model.ToByteArray());
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["x"], [value], outputs);
        return outputs.Select((name, i) => (name, results[i].GetTensorDataAsSpan<float>().ToArray())).ToDictionary(p => p.name, p => p.Item2);
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    private static float[] LayerNorm(float[] v)
    {
        var mean = v.Average();
        var variance = v.Select(x => (x - mean) * (x - mean)).Average();
        return v.Select(x => (x - mean) / MathF.Sqrt(variance + 1e-5f)).ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"[{i}] expected {expected[i]}, got {actual[i]}");
        }
    }
}
