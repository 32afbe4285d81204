using Pipeline.StandInModels.Onnx;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels.Transformers;

/// <summary>
/// Transformer building blocks (linear, layer norm, GELU, multi-head attention) emitted into one graph, with weights
/// from a <see cref="WeightStore"/>. Node names follow the torch module path of the weight ("transformer.h.0.attn"
/// becomes the scope "/transformer/h.0/attn/"), like torch.onnx.export.
/// </summary>
public sealed class LayerBuilder
{
    private readonly Dictionary<string, (string Quantized, string Scale, string ZeroPoint)> _quantizedActivations = new(StringComparer.Ordinal);

    public LayerBuilder(GraphBuilder graph, WeightStore weights)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(weights);
        G = graph;
        Weights = weights;
    }

    public GraphBuilder G { get; }

    public WeightStore Weights { get; }

    /// <summary>Torch module path "a.h.0.b" to the node scope "a/h.0/b".</summary>
    public static string ScopePath(string modulePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modulePath);
        var parts = new List<string>();
        foreach (var part in modulePath.Split('.'))
        {
            if (parts.Count > 0 && part.Length > 0 && part.All(char.IsAsciiDigit))
            {
                parts[^1] += "." + part;
            }
            else
            {
                parts.Add(part);
            }
        }

        return string.Join('/', parts);
    }

    public IDisposable Module(string modulePath) => G.Scope(ScopePath(modulePath));

    /// <summary>A float32 parameter ~ N(mean, std²).</summary>
    public string Param(string name, double std, double mean, params long[] dims) =>
        Weights.FullPrecision(G, name, dims, () => Weights.Normal(name, std, mean, Tensors.ElementCount(dims)));

    /// <summary>
    /// y = x W + b with W [in, out] ~ N(0, std²) and b ~ N(0, biasStd²). Float32 models emit MatMul + Add; quantized
    /// ones emit what onnxruntime's quantize_dynamic leaves: DynamicQuantizeLinear (once per activation),
    /// MatMulInteger, Cast, Mul by the two scales, Add.
    /// </summary>
    public string Linear(string x, string modulePath, long inFeatures, long outFeatures, double std, double biasStd = 0.02) =>
        Linear(x, modulePath, inFeatures, outFeatures, std, biasStd, inputMean: 0);

    /// <summary>
    /// Linear layer reading the output of a GELU: its bias cancels the GELU's mean (<paramref name="inputMean"/> on
    /// every input feature), so the layer adds no vector common to all tokens. Without that, a stack of random
    /// layers drifts to one shared direction and every position, image and step ends up with the same arg-max.
    /// </summary>
    public string CenteredLinear(string x, string modulePath, long inFeatures, long outFeatures, double std, double inputMean) =>
        Linear(x, modulePath, inFeatures, outFeatures, std, biasStd: 0.02, inputMean);

    /// <summary>E[GELU(z)] for z ~ N(0, σ²): σ²·φ(0)/√(1+σ²) (Stein's lemma); the tanh form differs by &lt; 1e-3.</summary>
    public static double GeluMean(double sigma) => sigma * sigma / Math.Sqrt(2 * Math.PI * (1 + (sigma * sigma)));

    /// <summary>
    /// y = x W + b with W [in, out] and b [out] given by the caller, for stand-ins whose behaviour is designed into
    /// chosen weights rather than drawn (float32 or quantized as <see cref="Weights"/> stores them).
    /// </summary>
    public string Linear(string x, string modulePath, long inFeatures, long outFeatures, Func<float[]> weightValues, Func<float[]> biasValues)
    {
        ArgumentNullException.ThrowIfNull(weightValues);
        ArgumentNullException.ThrowIfNull(biasValues);
        var weightName = modulePath + ".weight";
        var biasName = modulePath + ".bias";
        long[] dims = [inFeatures, outFeatures];
        using (Module(modulePath))
        {
            string y;
            if (Weights.Quantization == WeightQuantization.None)
            {
                y = G.MatMul(x, Weights.FullPrecision(G, weightName, dims, weightValues));
            }
            else
            {
                var weight = Weights.Quantized(G, weightName, dims, weightValues);
                var (xq, xScale, xZeroPoint) = QuantizeActivation(x);
                var integer = G.MatMulInteger(xq, weight.Quantized, xZeroPoint, weight.ZeroPoint);
                y = G.Mul(G.Cast(integer, DataType.Float), G.Mul(xScale, weight.Scale));
            }

            return G.Add(y, Weights.FullPrecision(G, biasName, [outFeatures], biasValues));
        }
    }

    private string Linear(string x, string modulePath, long inFeatures, long outFeatures, double std, double biasStd, double inputMean)
    {
        var weightName = modulePath + ".weight";
        var biasName = modulePath + ".bias";
        float[] Values() => Weights.Normal(weightName, std, 0, inFeatures * outFeatures);
        float[] BiasValues()
        {
            var bias = Weights.Normal(biasName, biasStd, 0, outFeatures);
            if (inputMean != 0)
            {
                var weight = Values();
                for (var i = 0; i < inFeatures; i++)
                {
                    for (var j = 0; j < outFeatures; j++)
                    {
                        bias[j] -= (float)(inputMean * weight[(i * outFeatures) + j]);
                    }
                }
            }

            return bias;
        }

        return Linear(x, modulePath, inFeatures, outFeatures, Values, BiasValues);
    }

    /// <summary>Dynamic uint8 quantization of an activation, shared by every linear layer that reads it.</summary>
    public (string Quantized, string Scale, string ZeroPoint) QuantizeActivation(string x)
    {
        if (!_quantizedActivations.TryGetValue(x, out var quantized))
        {
            quantized = G.DynamicQuantizeLinear(x);
            _quantizedActivations[x] = quantized;
        }

        return quantized;
    }

    public string LayerNorm(string x, string modulePath, long hidden, float epsilon, string? output = null)
    {
        using (Module(modulePath))
        {
            var scale = Param(modulePath + ".weight", 0.05, 1.0, hidden);
            var bias = Param(modulePath + ".bias", 0.02, 0.0, hidden);
            return G.LayerNormalization(x, scale, bias, axis: -1, epsilon: epsilon, output: output);
        }
    }

    /// <summary>LayerNormalization whose scale and bias [hidden] are given by the caller (always float32).</summary>
    public string LayerNorm(string x, string modulePath, long hidden, float epsilon, Func<float[]> scaleValues, Func<float[]> biasValues, string? output = null)
    {
        using (Module(modulePath))
        {
            var scale = Weights.FullPrecision(G, modulePath + ".weight", [hidden], scaleValues);
            var bias = Weights.FullPrecision(G, modulePath + ".bias", [hidden], biasValues);
            return G.LayerNormalization(x, scale, bias, axis: -1, epsilon: epsilon, output: output);
        }
    }

    /// <summary>GELU, exact (erf) form: x · ½ · (1 + erf(x / √2)); ViT's "gelu".</summary>
    public string GeluErf(string x)
    {
        var erf = G.Erf(G.Div(x, G.FloatScalar(1.4142135f)));
        return G.Mul(G.Mul(x, G.Add(erf, G.FloatScalar(1f))), G.FloatScalar(0.5f));
    }

    /// <summary>GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))); GPT-2's "gelu_new".</summary>
    public string GeluTanh(string x)
    {
        var cube = G.Pow(x, G.FloatScalar(3f));
        var inner = G.Mul(G.Add(x, G.Mul(cube, G.FloatScalar(0.044715f))), G.FloatScalar(0.7978845608f));
        return G.Mul(G.Mul(G.FloatScalar(0.5f), x), G.Add(G.Tanh(inner), G.FloatScalar(1f)));
    }

    /// <summary>[B, S, heads·headDim] → [B, heads, S, headDim].</summary>
    public string SplitHeads(string x, long heads, long headDim, string? output = null) =>
        G.Transpose(G.Reshape(x, [0, 0, heads, headDim]), [0, 2, 1, 3], output);

    /// <summary>[B, heads, S, headDim] → [B, S, hidden].</summary>
    public string MergeHeads(string x, long hidden) => G.Reshape(G.Transpose(x, [0, 2, 1, 3]), [0, 0, hidden]);

    /// <summary>
    /// softmax(q kᵀ / √headDim) v over [B, heads, S, headDim] × [B, heads, T, headDim]. Where <paramref name="allowed"/>
    /// ([S, T] bool) is false the score becomes the lowest float, as transformers' eager attention masks.
    /// </summary>
    public string Attention(string q, string k, string v, long headDim, string? allowed = null)
    {
        var scores = G.Div(G.MatMul(q, G.Transpose(k, [0, 1, 3, 2])), G.FloatScalar(MathF.Sqrt(headDim)));
        if (allowed is not null)
        {
            scores = G.Where(allowed, scores, G.FloatScalar(float.MinValue));
        }

        return G.MatMul(G.Softmax(scores, axis: -1), v);
    }
}
