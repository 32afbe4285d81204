using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;
using Pipeline.StandInModels.Transformers;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;
using D = Pipeline.StandInModels.Captioner.CaptionerDimensions;

namespace Pipeline.StandInModels.Captioner;

/// <summary>
/// decoder_model_merged.onnx of a vision-encoder-decoder export with a GPT-2 decoder (optimum
/// <c>image-to-text-with-past</c>): one <c>If</c> node named <c>optimum::if</c> on <c>use_cache_branch</c>, whose
/// then-branch ("with_past") appends the new keys/values to <c>past_key_values.*</c> and whose else-branch
/// ("no_past") never reads them. GPT-2 with cross-attention: token + position embeddings, n_layer × (ln_1, causal
/// self-attention, ln_cross_attn, cross-attention on encoder_hidden_states recomputed every step, ln_2, MLP with
/// gelu_new), ln_f, logits tied to the token embedding.
/// </summary>
public static class Gpt2DecoderGraph
{
    public const string InputIds = "input_ids";
    public const string EncoderHiddenStates = "encoder_hidden_states";
    public const string UseCacheBranch = "use_cache_branch";
    public const string Logits = "logits";
    public const string IfNodeName = "optimum::if";

    /// <summary>Per-dimension std of the token and position embeddings; the transformer blocks dominate the residual.</summary>
    private const double EmbeddingStd = 0.1;

    // Gains of the residual branches, chosen (with the sharp cross-attention below) so that greedy decoding of
    // different images gives different, varied tokens: self-attention averages over the history, so it is kept
    // weaker than the MLP, which is a position-wise random function of the current token.
    private const double SelfAttentionGain = 0.5;
    private const double MlpGain = 1.5;

    /// <summary>Scale of the cross-attention query: sharp attention makes the caption depend on image details.</summary>
    private const double CrossQueryStd = 10.0;

    private const double CrossOutputStd = 1.0;

    public static string PastKey(int layer) => $"past_key_values.{layer}.key";

    public static string PastValue(int layer) => $"past_key_values.{layer}.value";

    public static string PresentKey(int layer) => $"present.{layer}.key";

    public static string PresentValue(int layer) => $"present.{layer}.value";

    public static ModelProto Build(
        CaptionerDimensions dims,
        long seed,
        WeightQuantization quantization,
        int? eosAfterTokens,
        IEnumerable<KeyValuePair<string, string>> metadata)
    {
        ArgumentNullException.ThrowIfNull(dims);
        dims.Validate();
        if (eosAfterTokens is < 1 or >= D.Positions)
        {
            throw new ArgumentOutOfRangeException(nameof(eosAfterTokens), eosAfterTokens, $"Must be between 1 and {D.Positions - 1}.");
        }

        var g = new GraphBuilder("merged", CaptionerStandIn.Opset, seed);
        var weights = new WeightStore(g, seed, quantization);
        long hidden = dims.DecoderHidden;
        long heads = dims.DecoderHeads;
        long headDim = dims.DecoderHeadDim;

        g.Input(InputIds, DataType.Int64, "batch_size", "decoder_sequence_length");
        g.Input(EncoderHiddenStates, DataType.Float, "batch_size", "encoder_sequence_length", hidden);
        for (var i = 0; i < dims.DecoderLayers; i++)
        {
            g.Input(PastKey(i), DataType.Float, "batch_size", heads, "past_sequence_length", headDim);
            g.Input(PastValue(i), DataType.Float, "batch_size", heads, "past_sequence_length", headDim);
        }

        g.Input(UseCacheBranch, DataType.Bool, 1);

        var embeddings = new Embeddings(weights, dims, eosAfterTokens);
        var withPast = Branch("with_past", withPast: true, dims, weights, embeddings);
        var noPast = Branch("no_past", withPast: false, dims, weights, embeddings);
        var outputs = OutputNames(dims);
        g.If(UseCacheBranch, thenBranch: withPast, elseBranch: noPast, outputs);
        DeclareOutputs(g, dims);

        var model = g.ToModel(CaptionerStandIn.IrVersion, metadata,
            docString: "Stand-in GPT-2 caption decoder (merged, with/without past) with random weights; not a real model.");
        model.Graph.Node.Single(n => n.OpType == "If").Name = IfNodeName;
        return model;
    }

    private static string[] OutputNames(CaptionerDimensions dims) =>
        [Logits, .. Enumerable.Range(0, dims.DecoderLayers).SelectMany(i => new[] { PresentKey(i), PresentValue(i) })];

    private static void DeclareOutputs(GraphBuilder g, CaptionerDimensions dims)
    {
        g.Output(Logits, DataType.Float, "batch_size", "decoder_sequence_length", D.VocabSize);
        for (var i = 0; i < dims.DecoderLayers; i++)
        {
            g.Output(PresentKey(i), DataType.Float, "batch_size", dims.DecoderHeads, "past_sequence_length + sequence_length", dims.DecoderHeadDim);
            g.Output(PresentValue(i), DataType.Float, "batch_size", dims.DecoderHeads, "past_sequence_length + sequence_length", dims.DecoderHeadDim);
        }
    }

    private static GraphProto Branch(string name, bool withPast, CaptionerDimensions dims, WeightStore weights, Embeddings embeddings)
    {
        var b = new GraphBuilder(name, CaptionerStandIn.Opset, weights.Seed);
        var l = new LayerBuilder(b, weights);
        long hidden = dims.DecoderHidden;
        long heads = dims.DecoderHeads;
        long headDim = dims.DecoderHeadDim;
        var selfStd = 1 / Math.Sqrt(hidden);
        var branchScale = Math.Sqrt(2.0 / dims.DecoderLayers);

        var ids = b.OuterValue(InputIds);
        var encoder = b.OuterValue(EncoderHiddenStates);
        var pastKeys = withPast ? Enumerable.Range(0, dims.DecoderLayers).Select(i => b.OuterValue(PastKey(i))).ToArray() : [];
        var pastValues = withPast ? Enumerable.Range(0, dims.DecoderLayers).Select(i => b.OuterValue(PastValue(i))).ToArray() : [];

        string x, allowed;
        using (b.Scope("transformer"))
        {
            var sequenceLength = b.Gather(b.Shape(ids), b.Int64Scalar(1));
            var pastLength = withPast
                ? b.Gather(b.Shape(pastKeys[0]), b.Int64Scalar(2))
                : b.Int64Scalar(0);
            var totalLength = b.Add(pastLength, sequenceLength);
            var one = b.Int64Scalar(1);

            // GPT-2 positions: past_length + arange(sequence_length).
            var positions = b.Range(pastLength, totalLength, one);
            x = b.Add(embeddings.Tokens(l, ids), embeddings.Positions(l, positions));

            // Causal: query i (absolute position past + i) sees keys 0 .. past + i.
            var rows = b.Unsqueeze(b.Add(b.Range(b.Int64Scalar(0), sequenceLength, one), pastLength), [1]);
            var columns = b.Unsqueeze(b.Range(b.Int64Scalar(0), totalLength, one), [0]);
            allowed = b.LessOrEqual(columns, rows);
        }

        for (var i = 0; i < dims.DecoderLayers; i++)
        {
            var prefix = $"transformer.h.{i}";
            using (l.Module(prefix))
            {
                // Causal self-attention with the KV cache.
                var h = l.LayerNorm(x, prefix + ".ln_1", hidden, D.DecoderLayerNormEpsilon);
                var qkv = b.Split(l.Linear(h, prefix + ".attn.c_attn", hidden, 3 * hidden, selfStd), [hidden, hidden, hidden], axis: -1);
                var q = l.SplitHeads(qkv[0], heads, headDim);
                string k, v;
                if (withPast)
                {
                    k = b.Concat([pastKeys[i], l.SplitHeads(qkv[1], heads, headDim)], axis: 2, output: PresentKey(i));
                    v = b.Concat([pastValues[i], l.SplitHeads(qkv[2], heads, headDim)], axis: 2, output: PresentValue(i));
                }
                else
                {
                    k = l.SplitHeads(qkv[1], heads, headDim, output: PresentKey(i));
                    v = l.SplitHeads(qkv[2], heads, headDim, output: PresentValue(i));
                }

                var attended = l.MergeHeads(l.Attention(q, k, v, headDim, allowed), hidden);
                x = b.Add(x, l.Linear(attended, prefix + ".attn.c_proj", hidden, hidden, branchScale * SelfAttentionGain * selfStd));

                // Cross-attention: keys/values from the encoder states at every step (GPT-2 does not cache them).
                h = l.LayerNorm(x, prefix + ".ln_cross_attn", hidden, D.DecoderLayerNormEpsilon);
                var crossQ = l.SplitHeads(l.Linear(h, prefix + ".crossattention.q_attn", hidden, hidden, CrossQueryStd / Math.Sqrt(hidden)), heads, headDim);
                var kv = b.Split(l.Linear(encoder, prefix + ".crossattention.c_attn", hidden, 2 * hidden, selfStd), [hidden, hidden], axis: -1);
                var crossAttended = l.MergeHeads(
                    l.Attention(crossQ, l.SplitHeads(kv[0], heads, headDim), l.SplitHeads(kv[1], heads, headDim), headDim), hidden);
                x = b.Add(x, l.Linear(crossAttended, prefix + ".crossattention.c_proj", hidden, hidden, branchScale * CrossOutputStd / Math.Sqrt(hidden)));

                h = l.LayerNorm(x, prefix + ".ln_2", hidden, D.DecoderLayerNormEpsilon);
                var up = l.GeluTanh(l.Linear(h, prefix + ".mlp.c_fc", hidden, dims.DecoderInner, selfStd));
                x = b.Add(x, l.CenteredLinear(up, prefix + ".mlp.c_proj", dims.DecoderInner, hidden,
                    branchScale * MlpGain / Math.Sqrt(dims.DecoderInner), LayerBuilder.GeluMean(1.0)));
            }
        }

        var final = l.LayerNorm(x, "transformer.ln_f", hidden, D.DecoderLayerNormEpsilon);
        using (b.Scope("lm_head"))
        {
            embeddings.Logits(l, final, ids, Logits);
        }

        // Both branches declare the with-past output shapes, as optimum's merge (_unify_onnx_outputs) leaves them.
        DeclareOutputs(b, dims);
        return b.ToGraph();
    }

    /// <summary>
    /// Token embedding wte [vocab, hidden] (also the tied lm_head) and position embedding wpe [1024, hidden].
    /// Every wte row has the same norm (no "hub" token that wins every arg-max) and every row but EOS's is orthogonal
    /// to EOS's, so EOS wins only where the residual points at it: the positions from <c>eosAfterTokens</c> on, whose
    /// wpe rows carry a large EOS component.
    /// </summary>
    private sealed class Embeddings(WeightStore weights, CaptionerDimensions dims, int? eosAfterTokens)
    {
        private const string TokenName = "transformer.wte.weight";
        private const string PositionName = "transformer.wpe.weight";
        private float[]? _tokenValues;

        public string Tokens(LayerBuilder l, string ids) => Lookup(l, TokenName, [D.VocabSize, dims.DecoderHidden], TokenValues, ids);

        /// <summary>
        /// Always float32: the EOS component of the late rows would leave a per-tensor int8 scale too coarse for the
        /// others (onnxruntime's quantizer would quantize this Gather too; that detail is not imitated).
        /// </summary>
        public string Positions(LayerBuilder l, string positions) =>
            l.G.Gather(weights.FullPrecision(l.G, PositionName, [D.Positions, dims.DecoderHidden], PositionValues), positions);

        /// <summary>logits = h · wteᵀ: Gemm with transB on float weights; MatMulInteger on the transposed int8 table when quantized.</summary>
        public void Logits(LayerBuilder l, string h, string ids, string output)
        {
            var g = l.G;
            long hidden = dims.DecoderHidden;
            if (weights.Quantization == WeightQuantization.None)
            {
                var table = weights.FullPrecision(g, TokenName, [D.VocabSize, hidden], TokenValues);
                var flat = g.Gemm(g.Reshape(h, [-1, hidden]), table, transB: true);
                g.Reshape(flat, g.Concat([g.Shape(ids), g.Int64s([D.VocabSize])], axis: 0), output);
                return;
            }

            var quantized = weights.Quantized(g, TokenName, [D.VocabSize, hidden], TokenValues);
            var (hq, hScale, hZeroPoint) = l.QuantizeActivation(h);
            var integer = g.MatMulInteger(hq, g.Transpose(quantized.Quantized, [1, 0]), hZeroPoint, quantized.ZeroPoint);
            g.Mul(g.Cast(integer, DataType.Float), g.Mul(hScale, quantized.Scale), output);
        }

        private string Lookup(LayerBuilder l, string name, long[] shape, Func<float[]> values, string indices)
        {
            var g = l.G;
            if (weights.Quantization == WeightQuantization.None)
            {
                return g.Gather(weights.FullPrecision(g, name, shape, values), indices);
            }

            var quantized = weights.Quantized(g, name, shape, values);
            return g.DequantizeLinear(g.Gather(quantized.Quantized, indices), quantized.Scale, quantized.ZeroPoint);
        }

        private float[] TokenValues()
        {
            if (_tokenValues is not null)
            {
                return _tokenValues;
            }

            var hidden = dims.DecoderHidden;
            var values = weights.Normal(TokenName, 1.0, 0.0, (long)D.VocabSize * hidden);
            var eos = values.AsSpan(D.EndOfText * hidden, hidden);
            Normalize(eos, EmbeddingStd * Math.Sqrt(hidden));
            var eosUnit = eos.ToArray();
            Normalize(eosUnit, 1.0);
            for (var row = 0; row < D.VocabSize; row++)
            {
                if (row == D.EndOfText)
                {
                    continue;
                }

                var span = values.AsSpan(row * hidden, hidden);
                var dot = Dot(span, eosUnit);
                for (var j = 0; j < hidden; j++)
                {
                    span[j] -= (float)(dot * eosUnit[j]);
                }

                Normalize(span, EmbeddingStd * Math.Sqrt(hidden));
            }

            _tokenValues = values;
            return values;
        }

        private float[] PositionValues()
        {
            var hidden = dims.DecoderHidden;
            var values = weights.Normal(PositionName, EmbeddingStd, 0.0, (long)D.Positions * hidden);
            if (eosAfterTokens is { } from)
            {
                var eos = TokenValues().AsSpan(D.EndOfText * hidden, hidden).ToArray();
                Normalize(eos, 1.0);
                // Far larger than everything else in the residual stream, so ln_f's output points at EOS.
                var magnitude = 100.0 * Math.Sqrt(hidden);
                for (var position = from; position < D.Positions; position++)
                {
                    var span = values.AsSpan(position * hidden, hidden);
                    for (var j = 0; j < hidden; j++)
                    {
                        span[j] += (float)(magnitude * eos[j]);
                    }
                }
            }

            return values;
        }

        private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            double sum = 0;
            for (var i = 0; i < a.Length; i++)
            {
                sum += (double)a[i] * b[i];
            }

            return sum;
        }

        private static void Normalize(Span<float> v, double norm)
        {
            var scale = norm / Math.Sqrt(Dot(v, v));
            for (var i = 0; i < v.Length; i++)
            {
                v[i] = (float)(v[i] * scale);
            }
        }
    }
}
