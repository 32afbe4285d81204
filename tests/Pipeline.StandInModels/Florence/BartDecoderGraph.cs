using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;
using Pipeline.StandInModels.Transformers;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;
using D = Pipeline.StandInModels.Florence.FlorenceDimensions;

namespace Pipeline.StandInModels.Florence;

/// <summary>
/// decoder_model_merged.onnx of Florence-2's BART decoder as optimum merges it (<c>image-text-to-text-with-past</c>):
/// one <c>If</c> named <c>optimum::if</c> on <c>use_cache_branch</c>. Its else-branch (no_past) never reads the
/// past inputs and computes the cross-attention keys/values from <c>encoder_hidden_states</c>; its then-branch
/// (with_past) appends the new self-attention keys/values to the past ones and reuses <c>past_key_values.{i}.encoder.*</c>,
/// which it passes through as its encoder presents. The decoder takes embeddings (embed_tokens.onnx), not ids. BART:
/// learned positions from the past length (row p + 2), layernorm_embedding, post-LN layers of causal self-attention,
/// cross-attention that skips encoder tokens whose mask is 0, and an exact-GELU MLP; logits = h · sharedᵀ (tied).
/// The weights keep the <see cref="DecoderLanes"/> that make greedy answers follow <see cref="OutputSchedule"/>.
/// </summary>
public static class BartDecoderGraph
{
    public const string InputsEmbeds = "inputs_embeds";
    public const string EncoderHiddenStates = "encoder_hidden_states";
    public const string EncoderAttentionMask = "encoder_attention_mask";
    public const string UseCacheBranch = "use_cache_branch";
    public const string Logits = "logits";
    public const string IfNodeName = "optimum::if";

    private const string Prefix = "decoder";

    // Branch gains (before the depth scaling): self-attention averages over the history and is kept weaker than the
    // cross-attention, which brings in the image and the prompt, and the MLP, a position-wise function of the token.
    private const double SelfAttentionGain = 0.5;
    private const double CrossAttentionGain = 2.0;
    private const double MlpGain = 1.0;

    /// <summary>Scale of the cross-attention query: sharp attention makes the answer depend on details of the image.</summary>
    private const double CrossQueryStd = 24.0;

    public static string PastDecoderKey(int layer) => $"past_key_values.{layer}.decoder.key";

    public static string PastDecoderValue(int layer) => $"past_key_values.{layer}.decoder.value";

    public static string PastEncoderKey(int layer) => $"past_key_values.{layer}.encoder.key";

    public static string PastEncoderValue(int layer) => $"past_key_values.{layer}.encoder.value";

    public static string PresentDecoderKey(int layer) => $"present.{layer}.decoder.key";

    public static string PresentDecoderValue(int layer) => $"present.{layer}.decoder.value";

    public static string PresentEncoderKey(int layer) => $"present.{layer}.encoder.key";

    public static string PresentEncoderValue(int layer) => $"present.{layer}.encoder.value";

    public static ModelProto Build(
        FlorenceDimensions dims,
        TokenTable table,
        long seed,
        WeightQuantization quantization,
        int? eosAfterTokens,
        IEnumerable<KeyValuePair<string, string>> metadata)
    {
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(table);
        dims.Validate();
        if (eosAfterTokens is < 1 or >= D.MaxPositions)
        {
            throw new ArgumentOutOfRangeException(nameof(eosAfterTokens), eosAfterTokens, $"Must be between 1 and {D.MaxPositions - 1}.");
        }

        var g = new GraphBuilder("merged", FlorenceStandIn.Opset, seed);
        var weights = new WeightStore(g, seed, quantization);
        long hidden = dims.Hidden;
        long heads = dims.Heads;
        long headDim = dims.HeadDim;

        g.Input(InputsEmbeds, DataType.Float, "batch_size", "decoder_sequence_length", hidden);
        g.Input(EncoderHiddenStates, DataType.Float, "batch_size", "encoder_sequence_length", hidden);
        g.Input(EncoderAttentionMask, DataType.Int64, "batch_size", "encoder_sequence_length");
        for (var i = 0; i < dims.DecoderLayers; i++)
        {
            g.Input(PastDecoderKey(i), DataType.Float, "batch_size", heads, "past_decoder_sequence_length", headDim);
            g.Input(PastDecoderValue(i), DataType.Float, "batch_size", heads, "past_decoder_sequence_length", headDim);
            g.Input(PastEncoderKey(i), DataType.Float, "batch_size", heads, "encoder_sequence_length_out", headDim);
            g.Input(PastEncoderValue(i), DataType.Float, "batch_size", heads, "encoder_sequence_length_out", headDim);
        }

        g.Input(UseCacheBranch, DataType.Bool, 1);

        var positions = new DecoderPositions(dims, seed, eosAfterTokens);
        var withPast = Branch("with_past", withPast: true, dims, weights, table, positions);
        var noPast = Branch("no_past", withPast: false, dims, weights, table, positions);
        g.If(UseCacheBranch, thenBranch: withPast, elseBranch: noPast, OutputNames(dims));
        DeclareOutputs(g, dims);

        var model = g.ToModel(FlorenceStandIn.IrVersion, metadata,
            docString: "Stand-in Florence-2 BART decoder (merged, with/without past) with random weights; not a real model.");
        model.Graph.Node.Single(n => n.OpType == "If").Name = IfNodeName;
        return model;
    }

    private static string[] OutputNames(FlorenceDimensions dims) =>
    [
        Logits,
        .. Enumerable.Range(0, dims.DecoderLayers).SelectMany(i => new[]
        {
            PresentDecoderKey(i), PresentDecoderValue(i), PresentEncoderKey(i), PresentEncoderValue(i),
        }),
    ];

    /// <summary>The output shapes of optimum's seq2seq export (<c>OnnxSeq2SeqConfigWithPast.add_past_key_values</c>).</summary>
    private static void DeclareOutputs(GraphBuilder g, FlorenceDimensions dims)
    {
        g.Output(Logits, DataType.Float, "batch_size", "decoder_sequence_length", D.VocabSize);
        for (var i = 0; i < dims.DecoderLayers; i++)
        {
            foreach (var name in new[] { PresentDecoderKey(i), PresentDecoderValue(i) })
            {
                g.Output(name, DataType.Float, "batch_size", dims.Heads, "past_decoder_sequence_length + 1", dims.HeadDim);
            }

            foreach (var name in new[] { PresentEncoderKey(i), PresentEncoderValue(i) })
            {
                g.Output(name, DataType.Float, "batch_size", dims.Heads, "encoder_sequence_length_out", dims.HeadDim);
            }
        }
    }

    private static GraphProto Branch(
        string name, bool withPast, FlorenceDimensions dims, WeightStore weights, TokenTable table, DecoderPositions positionTable)
    {
        var b = new GraphBuilder(name, FlorenceStandIn.Opset, weights.Seed);
        var l = new LayerBuilder(b, weights);
        long hidden = dims.Hidden;
        long heads = dims.Heads;
        long headDim = dims.HeadDim;
        var std = 1 / Math.Sqrt(hidden);
        var depthScale = Math.Sqrt(2.0 / dims.DecoderLayers);

        var embeds = b.OuterValue(InputsEmbeds);
        var encoder = b.OuterValue(EncoderHiddenStates);
        var encoderMask = b.OuterValue(EncoderAttentionMask);
        string[] Outer(Func<int, string> name) =>
            withPast ? Enumerable.Range(0, dims.DecoderLayers).Select(i => b.OuterValue(name(i))).ToArray() : [];
        var pastKeys = Outer(PastDecoderKey);
        var pastValues = Outer(PastDecoderValue);
        var pastEncoderKeys = Outer(PastEncoderKey);
        var pastEncoderValues = Outer(PastEncoderValue);

        string x, causal, crossAllowed;
        using (l.Module(Prefix))
        {
            var one = b.Int64Scalar(1);
            var sequenceLength = b.Gather(b.Shape(embeds), one);
            var pastLength = withPast ? b.Gather(b.Shape(pastKeys[0]), b.Int64Scalar(2)) : b.Int64Scalar(0);
            var totalLength = b.Add(pastLength, sequenceLength);

            // BART positions: past_length + arange(sequence_length), read at row + 2.
            var offset = b.Int64Scalar(D.PositionOffset);
            var rows = b.Range(b.Add(pastLength, offset), b.Add(totalLength, offset), one);
            var position = b.Gather(weights.FullPrecision(b, DecoderPositions.Name, positionTable.Shape, positionTable.Values), rows);
            x = LaneNorm(l, b.Add(embeds, position), $"{Prefix}.layernorm_embedding", dims, zeroClassLanes: true);

            // Causal: query i (absolute position past + i) sees keys 0 .. past + i.
            var queries = b.Unsqueeze(b.Add(b.Range(b.Int64Scalar(0), sequenceLength, one), pastLength), [1]);
            var keys = b.Unsqueeze(b.Range(b.Int64Scalar(0), totalLength, one), [0]);
            causal = b.LessOrEqual(keys, queries);
            crossAllowed = b.Cast(b.Unsqueeze(encoderMask, [1, 2]), DataType.Bool);
        }

        for (var i = 0; i < dims.DecoderLayers; i++)
        {
            var prefix = $"{Prefix}.layers.{i}";
            using (l.Module(prefix))
            {
                // Causal self-attention with the KV cache.
                var q = l.SplitHeads(ReadingLinear(l, x, prefix + ".self_attn.q_proj", hidden, std), heads, headDim);
                var k = l.SplitHeads(ReadingLinear(l, x, prefix + ".self_attn.k_proj", hidden, std), heads, headDim,
                    withPast ? null : PresentDecoderKey(i));
                var v = l.SplitHeads(ReadingLinear(l, x, prefix + ".self_attn.v_proj", hidden, std), heads, headDim,
                    withPast ? null : PresentDecoderValue(i));
                if (withPast)
                {
                    k = b.Concat([pastKeys[i], k], axis: 2, output: PresentDecoderKey(i));
                    v = b.Concat([pastValues[i], v], axis: 2, output: PresentDecoderValue(i));
                }

                var attended = l.MergeHeads(l.Attention(q, k, v, headDim, causal), hidden);
                x = b.Add(x, WritingLinear(l, attended, prefix + ".self_attn.out_proj", hidden, depthScale * SelfAttentionGain * std));
                x = LaneNorm(l, x, prefix + ".self_attn_layer_norm", dims);

                // Cross-attention on the encoder states: computed at the first step, reused from the cache afterwards.
                var crossQ = l.SplitHeads(ReadingLinear(l, x, prefix + ".encoder_attn.q_proj", hidden, CrossQueryStd * std), heads, headDim);
                string crossK, crossV;
                if (withPast)
                {
                    crossK = b.Identity(pastEncoderKeys[i], PresentEncoderKey(i));
                    crossV = b.Identity(pastEncoderValues[i], PresentEncoderValue(i));
                }
                else
                {
                    crossK = l.SplitHeads(l.Linear(encoder, prefix + ".encoder_attn.k_proj", hidden, hidden, std), heads, headDim, PresentEncoderKey(i));
                    crossV = l.SplitHeads(l.Linear(encoder, prefix + ".encoder_attn.v_proj", hidden, hidden, std), heads, headDim, PresentEncoderValue(i));
                }

                var crossAttended = l.MergeHeads(l.Attention(crossQ, crossK, crossV, headDim, crossAllowed), hidden);
                x = b.Add(x, WritingLinear(l, crossAttended, prefix + ".encoder_attn.out_proj", hidden, depthScale * CrossAttentionGain * std));
                x = LaneNorm(l, x, prefix + ".encoder_attn_layer_norm", dims);

                var mlp = new LaneFeedForward(dims, depthScale * MlpGain / Math.Sqrt(dims.FeedForward), writesClassLanes: i == dims.DecoderLayers - 1);
                var up = l.GeluErf(l.Linear(x, prefix + ".fc1", hidden, dims.FeedForward,
                    () => mlp.Fc1Weight(weights, prefix + ".fc1.weight"), () => mlp.Fc1Bias(weights, prefix + ".fc1.bias")));
                x = b.Add(x, l.Linear(up, prefix + ".fc2", dims.FeedForward, hidden,
                    () => mlp.Fc2Weight(weights, prefix + ".fc2.weight"),
                    () => mlp.Fc2Bias(weights, prefix + ".fc2.bias", prefix + ".fc2.weight")));
                x = LaneNorm(l, x, prefix + ".final_layer_norm", dims);
            }
        }

        using (b.Scope("lm_head"))
        {
            table.Logits(l, x, Logits);
        }

        // Both branches declare the with-past output shapes, as optimum's merge (_unify_onnx_outputs) leaves them.
        DeclareOutputs(b, dims);
        return b.ToGraph();
    }

    /// <summary>A linear layer on the residual stream that reads its content dimensions only (q, k, v projections).</summary>
    private static string ReadingLinear(LayerBuilder l, string x, string modulePath, long hidden, double std) =>
        l.Linear(x, modulePath, hidden, hidden,
            () => DecoderLanes.ReadContentOnly(l.Weights.Normal(modulePath + ".weight", std, 0, hidden * hidden), (int)hidden, (int)hidden),
            () => l.Weights.Normal(modulePath + ".bias", 0.02, 0, hidden));

    /// <summary>A linear layer adding to the residual stream that leaves its lanes alone (attention output projections).</summary>
    private static string WritingLinear(LayerBuilder l, string x, string modulePath, long hidden, double std) =>
        l.Linear(x, modulePath, hidden, hidden,
            () => DecoderLanes.WriteContentOnly(l.Weights.Normal(modulePath + ".weight", std, 0, hidden * hidden), (int)hidden),
            () => DecoderLanes.WriteContentOnly(l.Weights.Normal(modulePath + ".bias", 0.02, 0, hidden), (int)hidden));

    /// <summary>
    /// LayerNorm with random scale and bias on the content dimensions and scale 1, bias 0 on the lanes, which carry
    /// the schedule unchanged; the embedding's layer norm also zeroes the class lanes (scale 0), so the input token's
    /// kind never reaches the output.
    /// </summary>
    private static string LaneNorm(LayerBuilder l, string x, string modulePath, FlorenceDimensions dims, bool zeroClassLanes = false)
    {
        var hidden = dims.Hidden;
        float[] Scale()
        {
            var values = l.Weights.Normal(modulePath + ".weight", 0.05, 1.0, hidden);
            for (var j = DecoderLanes.ContentWidth(hidden); j < hidden; j++)
            {
                values[j] = zeroClassLanes && DecoderLanes.IsClassLane(hidden, j) ? 0f : 1f;
            }

            return values;
        }

        float[] Bias() => DecoderLanes.WriteContentOnly(l.Weights.Normal(modulePath + ".bias", 0.02, 0, hidden), hidden);
        return l.LayerNorm(x, modulePath, hidden, D.LayerNormEpsilon, Scale, Bias);
    }
}
