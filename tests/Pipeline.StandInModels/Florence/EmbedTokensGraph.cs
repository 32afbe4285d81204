using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;
using Pipeline.StandInModels.Transformers;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels.Florence;

/// <summary>
/// embed_tokens.onnx: input_ids [batch_size, sequence_length] → inputs_embeds [batch_size, sequence_length, hidden],
/// rows of the shared <see cref="TokenTable"/> (unscaled: <c>scale_embedding</c> is false). transformers.js embeds the
/// prompt for the encoder and every decoder token with it.
/// </summary>
public static class EmbedTokensGraph
{
    public const string InputIds = "input_ids";
    public const string InputsEmbeds = "inputs_embeds";

    public static ModelProto Build(
        FlorenceDimensions dims, TokenTable table, long seed, WeightQuantization quantization, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(table);
        var g = new GraphBuilder("main_graph", FlorenceStandIn.Opset, seed);
        var l = new LayerBuilder(g, new WeightStore(g, seed, quantization));
        var ids = g.Input(InputIds, DataType.Int64, "batch_size", "sequence_length");
        table.Lookup(l, ids, InputsEmbeds);
        g.Output(InputsEmbeds, DataType.Float, "batch_size", "sequence_length", dims.Hidden);
        return g.ToModel(FlorenceStandIn.IrVersion, metadata,
            docString: "Stand-in Florence-2 token embedding with random weights; not a real model.");
    }
}
