using System.Globalization;
using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;
using Pipeline.StandInModels.Transformers;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels.MClip;

/// <summary>
/// M-CLIP's text tower as Immich exports it (<c>textual/model.onnx</c>): int32 <c>input_ids</c> and
/// <c>attention_mask</c> [1, 77] → XLM-RoBERTa (embeddings with RoBERTa's padding-offset positions, post-norm encoder
/// layers) → mean over the tokens the mask keeps → <c>LinearTransformation</c> to 512 → L2 normalisation →
/// <c>embedding</c> float32 [1, 512]. Weights are random, named as the torch module path.
/// </summary>
public static class MClipTextGraph
{
    public const int Opset = 17;
    public const long IrVersion = 8;
    public const int ContextLength = 77;
    public const int EmbeddingSize = 512;
    public const float LayerNormEpsilon = 1e-5f;

    /// <summary>RoBERTa's positions start after the padding index (1): max_position_embeddings = context + 2.</summary>
    private const int PaddingIndex = 1;

    public static ModelProto Build(MClipStandInOptions options, int vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(options);
        var size = options.Dimensions;
        var g = new GraphBuilder("main_graph", Opset, options.Seed);
        var l = new LayerBuilder(g, new WeightStore(g, options.Seed, WeightQuantization.None));
        var inputIds = g.Input("input_ids", DataType.Int32, 1, ContextLength);
        var attentionMask = g.Input("attention_mask", DataType.Int32, 1, ContextLength);
        var ids = g.Cast(inputIds, DataType.Int64);
        var mask = g.Cast(attentionMask, DataType.Int64);
        var maskFloat = g.Cast(attentionMask, DataType.Float);

        string hidden;
        using (l.Module("transformer.embeddings"))
        {
            var words = g.Gather(l.Param("transformer.embeddings.word_embeddings.weight", 0.5, 0, vocabularySize, size.Hidden), ids);
            var positionIds = g.Add(g.Mul(g.Op("CumSum", [mask, g.Int64Scalar(1)]), mask), g.Int64Scalar(PaddingIndex));
            var positions = g.Gather(l.Param("transformer.embeddings.position_embeddings.weight", 0.1, 0, ContextLength + PaddingIndex + 1, size.Hidden), positionIds);
            var tokenType = g.Gather(l.Param("transformer.embeddings.token_type_embeddings.weight", 0.02, 0, 1, size.Hidden), g.Int64Scalar(0));
            hidden = l.LayerNorm(g.Add(g.Add(words, positions), tokenType), "transformer.embeddings.LayerNorm", size.Hidden, LayerNormEpsilon);
        }

        // [1, 1, 1, S] bool: which keys a query may attend to.
        var allowed = g.Cast(g.Unsqueeze(attentionMask, [1, 2]), DataType.Bool);
        for (var i = 0; i < size.Layers; i++)
        {
            hidden = Layer(l, hidden, string.Create(CultureInfo.InvariantCulture, $"transformer.encoder.layer.{i}"), size, allowed);
        }

        string pooled;
        using (g.Scope("pooling"))
        {
            // (h * mask).sum(1) / mask.sum(1), as M-CLIP's MultilingualCLIP.forward.
            var weights = g.Unsqueeze(maskFloat, [2]);
            var summed = g.Op("ReduceSum", [g.Mul(hidden, weights), g.Int64s([1])], null, Attr.Of("keepdims", 0L));
            var count = g.Op("ReduceSum", [maskFloat, g.Int64s([1])], null, Attr.Of("keepdims", 1L));
            pooled = g.Div(summed, count);
        }

        var projected = l.Linear(pooled, "LinearTransformation", size.Hidden, EmbeddingSize, std: 1.0 / Math.Sqrt(size.Hidden));
        var embedding = ClipGraphOps.L2Normalize(g, projected, output: "embedding");
        g.Output(embedding, DataType.Float, 1, EmbeddingSize);
        return g.ToModel(IrVersion, MClipStandIn.ModelMetadata(options), docString: "Stand-in M-CLIP XLM-Roberta-Large-Vit-B-32 text tower with random weights; not a real model.");
    }

    private static string Layer(LayerBuilder l, string x, string prefix, MClipTextSize size, string allowed)
    {
        var g = l.G;
        long hidden = size.Hidden;
        var headDim = hidden / size.Heads;
        var std = 1.0 / Math.Sqrt(hidden);
        using (l.Module(prefix))
        {
            var q = l.SplitHeads(l.Linear(x, prefix + ".attention.self.query", hidden, hidden, std), size.Heads, headDim);
            var k = l.SplitHeads(l.Linear(x, prefix + ".attention.self.key", hidden, hidden, std), size.Heads, headDim);
            var v = l.SplitHeads(l.Linear(x, prefix + ".attention.self.value", hidden, hidden, std), size.Heads, headDim);
            var attended = l.MergeHeads(l.Attention(q, k, v, headDim, allowed), hidden);
            var attentionOut = l.Linear(attended, prefix + ".attention.output.dense", hidden, hidden, std);
            x = l.LayerNorm(g.Add(attentionOut, x), prefix + ".attention.output.LayerNorm", hidden, LayerNormEpsilon);
            var inner = l.GeluErf(l.Linear(x, prefix + ".intermediate.dense", hidden, size.Intermediate, std));
            var output = l.Linear(inner, prefix + ".output.dense", size.Intermediate, hidden, 1.0 / Math.Sqrt(size.Intermediate));
            return l.LayerNorm(g.Add(output, x), prefix + ".output.LayerNorm", hidden, LayerNormEpsilon);
        }
    }
}
