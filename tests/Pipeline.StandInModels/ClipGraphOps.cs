using Pipeline.StandInModels.Onnx;

namespace Pipeline.StandInModels;

/// <summary>
/// CLIP building blocks on top of <see cref="GraphBuilder"/>. Ops the builder has no helper for are emitted with
/// <see cref="GraphBuilder.Op"/> here rather than added to the shared builder.
/// </summary>
internal static class ClipGraphOps
{
    /// <summary>nn.Linear as torch exports it for 3-D input: MatMul with the [in, out] weight, then Add of the bias.</summary>
    public static string Linear(GraphBuilder g, string x, string prefix, long inFeatures, long outFeatures, double gain = 1.0, bool bias = true)
    {
        var weight = g.RandomNormal(prefix + ".weight", std: gain / Math.Sqrt(inFeatures), mean: 0, inFeatures, outFeatures);
        var y = g.MatMul(x, weight);
        return bias ? g.Add(y, g.RandomNormal(prefix + ".bias", std: 0.02, mean: 0, outFeatures)) : y;
    }

    /// <summary>LayerNorm with weight ~ N(1, 0.1²) and bias ~ N(0, 0.02²), so the affine part is not a no-op.</summary>
    public static string LayerNorm(GraphBuilder g, string x, string prefix, long width)
    {
        var scale = g.RandomNormal(prefix + ".weight", std: 0.1, mean: 1.0, width);
        var bias = g.RandomNormal(prefix + ".bias", std: 0.02, mean: 0.0, width);
        return g.LayerNormalization(x, scale, bias);
    }

    /// <summary>CLIP's quick_gelu: x · sigmoid(1.702 x).</summary>
    public static string QuickGelu(GraphBuilder g, string x) =>
        g.Mul(x, g.Sigmoid(g.Mul(x, g.FloatScalar(1.702f))));

    /// <summary>GatherND with batch_dims (opset 12+): data [B, S, W], indices [B, 1] → [B, W].</summary>
    public static string GatherNd(GraphBuilder g, string data, string indices, long batchDims, string? output = null) =>
        g.Op("GatherND", [data, indices], output, Attr.Of("batch_dims", batchDims));

    /// <summary>x / max(‖x‖₂, 1e-12) over the last axis, as torch.nn.functional.normalize.</summary>
    public static string L2Normalize(GraphBuilder g, string x, string? output = null)
    {
        // Opset 17: ReduceL2 still takes its axes as an attribute (an input from opset 18).
        var norm = g.Opset >= 18
            ? g.Op("ReduceL2", [x, g.Int64s([-1])], null, Attr.Of("keepdims", 1L))
            : g.Op("ReduceL2", [x], null, Attr.Of("axes", [-1L]), Attr.Of("keepdims", 1L));
        var clamped = g.Op("Max", [norm, g.FloatScalar(1e-12f)]);
        return g.Div(x, clamped, output);
    }

    /// <summary>
    /// Multi-head self-attention as Hugging Face's CLIPAttention: q scaled by head_dim^-0.5, optional additive mask
    /// broadcast over [batch, heads, S, S], softmax, weighted sum of v, out_proj.
    /// </summary>
    public static string SelfAttention(GraphBuilder g, string x, string prefix, ClipTowerSize size, string? additiveMask)
    {
        long width = size.Width;
        long heads = size.Heads;
        long headDim = size.HeadDim;

        // Larger q/k weights than the usual 1/√fan-in make the random attention peaky, so a token's output follows a
        // few other tokens rather than their average: that keeps different inputs apart through many layers.
        var q = Linear(g, x, prefix + ".q_proj", width, width, gain: ClipInit.QueryKeyGain);
        q = g.Mul(q, g.FloatScalar((float)(1.0 / Math.Sqrt(headDim))));
        var k = Linear(g, x, prefix + ".k_proj", width, width, gain: ClipInit.QueryKeyGain);
        var v = Linear(g, x, prefix + ".v_proj", width, width);

        var q4 = g.Transpose(g.Reshape(q, [0, 0, heads, headDim]), [0, 2, 1, 3]);
        var kT = g.Transpose(g.Reshape(k, [0, 0, heads, headDim]), [0, 2, 3, 1]);
        var v4 = g.Transpose(g.Reshape(v, [0, 0, heads, headDim]), [0, 2, 1, 3]);

        var scores = g.MatMul(q4, kT);
        if (additiveMask is not null)
        {
            scores = g.Add(scores, additiveMask);
        }

        var context = g.MatMul(g.Softmax(scores, axis: -1), v4);
        var merged = g.Reshape(g.Transpose(context, [0, 2, 1, 3]), [0, 0, width]);
        return Linear(g, merged, prefix + ".out_proj", width, width, gain: ClipInit.OutputGain);
    }

    /// <summary>One pre-LN CLIPEncoderLayer: x + attn(ln1(x)), then + mlp(ln2(x)) with quick_gelu.</summary>
    public static string EncoderLayer(GraphBuilder g, string x, string prefix, ClipTowerSize size, string? additiveMask)
    {
        long width = size.Width;
        string h;
        using (g.Scope("self_attn"))
        {
            h = LayerNorm(g, x, prefix + ".layer_norm1", width);
            h = SelfAttention(g, h, prefix + ".self_attn", size, additiveMask);
        }

        x = g.Add(x, h);
        using (g.Scope("mlp"))
        {
            h = LayerNorm(g, x, prefix + ".layer_norm2", width);
            h = Linear(g, h, prefix + ".mlp.fc1", width, size.MlpWidth);
            h = QuickGelu(g, h);
            h = Linear(g, h, prefix + ".mlp.fc2", size.MlpWidth, width, gain: ClipInit.OutputGain);
        }

        return g.Add(x, h);
    }
}

/// <summary>Scales of the random weights (not Hugging Face's init, which is tuned for training, not for telling inputs apart).</summary>
internal static class ClipInit
{
    public const double QueryKeyGain = 2.0;
    public const double OutputGain = 1.0;
    public const double TokenEmbeddingStd = 1.0;
    public const double PositionEmbeddingStd = 0.1;
    public const double ClassEmbeddingStd = 1.0;
}
