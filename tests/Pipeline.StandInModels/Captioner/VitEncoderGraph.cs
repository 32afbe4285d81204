using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;
using Pipeline.StandInModels.Transformers;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;
using D = Pipeline.StandInModels.Captioner.CaptionerDimensions;

namespace Pipeline.StandInModels.Captioner;

/// <summary>
/// encoder_model.onnx of a vision-encoder-decoder export: a ViT (HF ViTModel, pre-LN) from pixel_values
/// [batch_size, num_channels, height, width] to last_hidden_state [batch_size, 197, hidden].
/// </summary>
public static class VitEncoderGraph
{
    public const string PixelValues = "pixel_values";
    public const string LastHiddenState = "last_hidden_state";

    public static ModelProto Build(
        CaptionerDimensions dims, long seed, WeightQuantization quantization, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        ArgumentNullException.ThrowIfNull(dims);
        dims.Validate();
        var g = new GraphBuilder("main_graph", CaptionerStandIn.Opset, seed);
        var l = new LayerBuilder(g, new WeightStore(g, seed, quantization));
        long hidden = dims.EncoderHidden;
        long heads = dims.EncoderHeads;
        long headDim = dims.EncoderHeadDim;
        long intermediate = dims.EncoderIntermediate;

        // optimum declares all four axes dynamic for VisionEncoderDecoder encoders.
        var pixels = g.Input(PixelValues, DataType.Float, "batch_size", "num_channels", "height", "width");

        string x;
        using (l.Module("embeddings"))
        {
            var patches = PatchEmbedding(l, pixels, hidden);
            var sequence = g.Transpose(g.Reshape(patches, [0, hidden, -1]), [0, 2, 1]);
            var cls = l.Param("embeddings.cls_token", 1.0, 0.0, 1, 1, hidden);
            var batch = g.Unsqueeze(g.Gather(g.Shape(pixels), g.Int64Scalar(0)), [0]);
            var clsTokens = g.Expand(cls, g.Concat([batch, g.Int64s([1, hidden])], axis: 0));
            var tokens = g.Concat([clsTokens, sequence], axis: 1);
            x = g.Add(tokens, l.Param("embeddings.position_embeddings", 0.5, 0.0, 1, D.EncoderTokens, hidden));
        }

        var linearStd = 1 / Math.Sqrt(hidden);
        // Residual branches scaled so the stack adds about as much as two unit layers, whatever the depth: the
        // output keeps the patches' content instead of converging to one vector for every token and image.
        var branchScale = Math.Sqrt(2.0 / dims.EncoderLayers);
        for (var i = 0; i < dims.EncoderLayers; i++)
        {
            var prefix = $"encoder.layer.{i}";
            using (l.Module(prefix))
            {
                var h = l.LayerNorm(x, prefix + ".layernorm_before", hidden, D.EncoderLayerNormEpsilon);
                var q = l.SplitHeads(l.Linear(h, prefix + ".attention.attention.query", hidden, hidden, linearStd), heads, headDim);
                var k = l.SplitHeads(l.Linear(h, prefix + ".attention.attention.key", hidden, hidden, linearStd), heads, headDim);
                var v = l.SplitHeads(l.Linear(h, prefix + ".attention.attention.value", hidden, hidden, linearStd), heads, headDim);
                var context = l.MergeHeads(l.Attention(q, k, v, headDim), hidden);
                x = g.Add(x, l.Linear(context, prefix + ".attention.output.dense", hidden, hidden, branchScale * linearStd));

                h = l.LayerNorm(x, prefix + ".layernorm_after", hidden, D.EncoderLayerNormEpsilon);
                var up = l.GeluErf(l.Linear(h, prefix + ".intermediate.dense", hidden, intermediate, linearStd));
                x = g.Add(x, l.CenteredLinear(up, prefix + ".output.dense", intermediate, hidden,
                    branchScale / Math.Sqrt(intermediate), LayerBuilder.GeluMean(1.0)));
            }
        }

        var output = l.LayerNorm(x, "layernorm", hidden, D.EncoderLayerNormEpsilon, output: LastHiddenState);
        g.Output(output, DataType.Float, "batch_size", D.EncoderTokens, hidden);
        return g.ToModel(CaptionerStandIn.IrVersion, metadata,
            docString: "Stand-in ViT image encoder with random weights; not a real model.");
    }

    /// <summary>16×16 stride-16 Conv to [B, hidden, 14, 14]; ConvInteger on uint8 weights when quantized.</summary>
    private static string PatchEmbedding(LayerBuilder l, string pixels, long hidden)
    {
        const string module = "embeddings.patch_embeddings.projection";
        var g = l.G;
        long[] dims = [hidden, D.Channels, D.PatchSize, D.PatchSize];
        var fanIn = D.Channels * D.PatchSize * D.PatchSize;
        float[] Values() => l.Weights.Normal(module + ".weight", 1 / Math.Sqrt(fanIn / 3.0), 0, Tensors.ElementCount(dims));
        using (l.Module(module))
        {
            var bias = l.Param(module + ".bias", 0.02, 0, hidden);
            if (l.Weights.Quantization == WeightQuantization.None)
            {
                var weight = l.Weights.FullPrecision(g, module + ".weight", dims, Values);
                return g.Conv(pixels, weight, bias, kernelShape: [D.PatchSize, D.PatchSize], strides: [D.PatchSize, D.PatchSize]);
            }

            var quantized = l.Weights.Quantized(g, module + ".weight", dims, Values);
            var (xq, xScale, xZeroPoint) = l.QuantizeActivation(pixels);
            var integer = g.ConvInteger(xq, quantized.Quantized, xZeroPoint, quantized.ZeroPoint,
                kernelShape: [D.PatchSize, D.PatchSize], strides: [D.PatchSize, D.PatchSize]);
            var scaled = g.Mul(g.Cast(integer, DataType.Float), g.Mul(xScale, quantized.Scale));
            return g.Add(scaled, g.Reshape(bias, [hidden, 1, 1]));
        }
    }
}
