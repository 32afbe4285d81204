using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;
using Pipeline.StandInModels.Transformers;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;
using D = Pipeline.StandInModels.Florence.FlorenceDimensions;

namespace Pipeline.StandInModels.Florence;

/// <summary>
/// encoder_model.onnx: Florence-2's BART encoder over the image features followed by the prompt's embeddings.
/// inputs_embeds [batch_size, encoder_sequence_length, hidden] and attention_mask [batch_size, encoder_sequence_length]
/// → last_hidden_state [batch_size, encoder_sequence_length, hidden]. BART: learned positions (row p + 2),
/// layernorm_embedding, then post-LN layers (self-attention that skips keys whose mask is 0, residual, LayerNorm; MLP
/// with exact GELU, residual, LayerNorm).
/// </summary>
public static class BartEncoderGraph
{
    public const string InputsEmbeds = "inputs_embeds";
    public const string AttentionMask = "attention_mask";
    public const string LastHiddenState = "last_hidden_state";

    private const string Prefix = "encoder";

    // Post-LN renormalises after every sublayer, so a branch as strong as the residual halves what came before. These
    // gains (scaled down with depth) keep each token's own content in the output: self-attention over ~600 tokens
    // mostly adds their mean, and a deep stack of it would leave one vector common to every token.
    private const double AttentionGain = 0.7;
    private const double MlpGain = 0.7;

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

        var embeds = g.Input(InputsEmbeds, DataType.Float, "batch_size", "encoder_sequence_length", hidden);
        var mask = g.Input(AttentionMask, DataType.Int64, "batch_size", "encoder_sequence_length");

        string x, allowed;
        using (l.Module(Prefix))
        {
            var length = g.Gather(g.Shape(embeds), g.Int64Scalar(1));
            var positions = g.Range(g.Int64Scalar(D.PositionOffset), g.Add(length, g.Int64Scalar(D.PositionOffset)), g.Int64Scalar(1));
            var table = l.Param($"{Prefix}.embed_positions.weight", 1.0, 0.0, D.MaxPositions + D.PositionOffset, hidden);
            x = l.LayerNorm(g.Add(embeds, g.Gather(table, positions)), $"{Prefix}.layernorm_embedding", hidden, D.LayerNormEpsilon);
            // [batch, 1, 1, keys]: a key whose mask is 0 is never attended to (the score becomes the lowest float).
            allowed = g.Cast(g.Unsqueeze(mask, [1, 2]), DataType.Bool);
        }

        var linearStd = 1 / Math.Sqrt(hidden);
        var depthScale = Math.Sqrt(2.0 / dims.EncoderLayers);
        for (var i = 0; i < dims.EncoderLayers; i++)
        {
            var prefix = $"{Prefix}.layers.{i}";
            using (l.Module(prefix))
            {
                var q = l.SplitHeads(l.Linear(x, prefix + ".self_attn.q_proj", hidden, hidden, linearStd), heads, headDim);
                var k = l.SplitHeads(l.Linear(x, prefix + ".self_attn.k_proj", hidden, hidden, linearStd), heads, headDim);
                var v = l.SplitHeads(l.Linear(x, prefix + ".self_attn.v_proj", hidden, hidden, linearStd), heads, headDim);
                var context = l.MergeHeads(l.Attention(q, k, v, headDim, allowed), hidden);
                x = g.Add(x, l.Linear(context, prefix + ".self_attn.out_proj", hidden, hidden, depthScale * AttentionGain * linearStd));
                x = l.LayerNorm(x, prefix + ".self_attn_layer_norm", hidden, D.LayerNormEpsilon);

                var up = l.GeluErf(l.Linear(x, prefix + ".fc1", hidden, dims.FeedForward, linearStd));
                x = g.Add(x, l.CenteredLinear(up, prefix + ".fc2", dims.FeedForward, hidden,
                    depthScale * MlpGain / Math.Sqrt(dims.FeedForward), LayerBuilder.GeluMean(1.0)));
                x = l.LayerNorm(x, prefix + ".final_layer_norm", hidden, D.LayerNormEpsilon,
                    output: i == dims.EncoderLayers - 1 ? LastHiddenState : null);
            }
        }

        g.Output(LastHiddenState, DataType.Float, "batch_size", "encoder_sequence_length", hidden);
        return g.ToModel(FlorenceStandIn.IrVersion, metadata,
            docString: "Stand-in Florence-2 BART encoder with random weights; not a real model.");
    }
}
