using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;
using Pipeline.StandInModels.Transformers;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;
using D = Pipeline.StandInModels.Florence.FlorenceDimensions;

namespace Pipeline.StandInModels.Florence;

/// <summary>
/// vision_encoder.onnx: pixel_values [batch_size, 3, 768, 768] → image_features [batch_size, 577, hidden]. The real
/// tower is DaViT with a projection to the text width; the stand-in is a ViT of that width: a 32×32 stride-32 patch
/// Conv (24×24 = 576 tokens), one learned token in front (where the real model puts its pooled token), learned
/// positions, pre-LN layers with exact GELU, and a final LayerNorm (the real image_proj_norm).
/// </summary>
public static class VisionEncoderGraph
{
    public const string PixelValues = "pixel_values";
    public const string ImageFeatures = "image_features";

    private const string Prefix = "vision_tower";

    public static ModelProto Build(
        FlorenceDimensions dims, long seed, WeightQuantization quantization, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        ArgumentNullException.ThrowIfNull(dims);
        dims.Validate();
        var g = new GraphBuilder("main_graph", FlorenceStandIn.Opset, seed);
        var l = new LayerBuilder(g, new WeightStore(g, seed, quantization));
        long hidden = dims.Hidden;
        long heads = dims.Heads;
        long headDim = dims.HeadDim;

        var pixels = g.Input(PixelValues, DataType.Float, "batch_size", D.Channels, D.ImageSize, D.ImageSize);

        string x;
        using (l.Module($"{Prefix}.embeddings"))
        {
            var patches = PatchEmbedding(l, pixels, hidden);
            var sequence = g.Transpose(g.Reshape(patches, [0, hidden, -1]), [0, 2, 1]);
            var token = l.Param($"{Prefix}.embeddings.image_token", 1.0, 0.0, 1, 1, hidden);
            var batch = g.Unsqueeze(g.Gather(g.Shape(pixels), g.Int64Scalar(0)), [0]);
            var tokens = g.Concat([g.Expand(token, g.Concat([batch, g.Int64s([1, hidden])], axis: 0)), sequence], axis: 1);
            // As strong as the patch content: image tokens differ even where the picture is flat, as positional
            // features of real vision towers make them.
            x = g.Add(tokens, l.Param($"{Prefix}.embeddings.position_embeddings", 1.0, 0.0, 1, D.ImageTokens, hidden));
        }

        var linearStd = 1 / Math.Sqrt(hidden);
        // Residual branches scaled so the stack adds about as much as two unit layers, whatever the depth: the output
        // keeps the patches' content instead of converging to one vector for every token and image.
        var branchScale = Math.Sqrt(2.0 / dims.VisionLayers);
        for (var i = 0; i < dims.VisionLayers; i++)
        {
            var prefix = $"{Prefix}.layers.{i}";
            using (l.Module(prefix))
            {
                var h = l.LayerNorm(x, prefix + ".norm1", hidden, D.LayerNormEpsilon);
                var q = l.SplitHeads(l.Linear(h, prefix + ".attn.q_proj", hidden, hidden, linearStd), heads, headDim);
                var k = l.SplitHeads(l.Linear(h, prefix + ".attn.k_proj", hidden, hidden, linearStd), heads, headDim);
                var v = l.SplitHeads(l.Linear(h, prefix + ".attn.v_proj", hidden, hidden, linearStd), heads, headDim);
                var context = l.MergeHeads(l.Attention(q, k, v, headDim), hidden);
                x = g.Add(x, l.Linear(context, prefix + ".attn.out_proj", hidden, hidden, branchScale * linearStd));

                h = l.LayerNorm(x, prefix + ".norm2", hidden, D.LayerNormEpsilon);
                var up = l.GeluErf(l.Linear(h, prefix + ".mlp.fc1", hidden, dims.VisionFeedForward, linearStd));
                x = g.Add(x, l.CenteredLinear(up, prefix + ".mlp.fc2", dims.VisionFeedForward, hidden,
                    branchScale / Math.Sqrt(dims.VisionFeedForward), LayerBuilder.GeluMean(1.0)));
            }
        }

        var output = l.LayerNorm(x, "image_proj_norm", hidden, D.LayerNormEpsilon, output: ImageFeatures);
        g.Output(output, DataType.Float, "batch_size", D.ImageTokens, hidden);
        return g.ToModel(FlorenceStandIn.IrVersion, metadata,
            docString: "Stand-in Florence-2 vision encoder (ViT at the text width) with random weights; not a real model.");
    }

    /// <summary>32×32 stride-32 Conv to [B, hidden, 24, 24]; ConvInteger on uint8 weights when quantized.</summary>
    private static string PatchEmbedding(LayerBuilder l, string pixels, long hidden)
    {
        const string module = Prefix + ".embeddings.patch_embeddings.projection";
        var g = l.G;
        long[] dims = [hidden, D.Channels, D.PatchSize, D.PatchSize];
        // ImageNet-normalised pixels have about unit variance; a third of the fan-in keeps the patch vectors near unit
        // scale even though neighbouring pixels are strongly correlated.
        var fanIn = D.Channels * D.PatchSize * D.PatchSize;
        float[] Values() => l.Weights.Normal(module + ".weight", 1 / Math.Sqrt(fanIn / 3.0), 0, Tensors.ElementCount(dims));
        long[] kernel = [D.PatchSize, D.PatchSize];
        using (l.Module(module))
        {
            var bias = l.Param(module + ".bias", 0.02, 0, hidden);
            if (l.Weights.Quantization == WeightQuantization.None)
            {
                var weight = l.Weights.FullPrecision(g, module + ".weight", dims, Values);
                return g.Conv(pixels, weight, bias, kernelShape: kernel, strides: kernel);
            }

            var quantized = l.Weights.Quantized(g, module + ".weight", dims, Values);
            var (xq, xScale, xZeroPoint) = l.QuantizeActivation(pixels);
            var integer = g.ConvInteger(xq, quantized.Quantized, xZeroPoint, quantized.ZeroPoint, kernelShape: kernel, strides: kernel);
            var scaled = g.Mul(g.Cast(integer, DataType.Float), g.Mul(xScale, quantized.Scale));
            return g.Add(scaled, g.Reshape(bias, [hidden, 1, 1]));
        }
    }
}
