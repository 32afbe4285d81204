using Pipeline.StandInModels.Onnx;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels.Transformers;

/// <summary>Names of a quantized weight's three initializers, as onnxruntime's quantizer names them.</summary>
public sealed record QuantizedWeightNames(string Quantized, string Scale, string ZeroPoint, DataType Type);

/// <summary>
/// The weights of one model. Each weight becomes a single initializer of the top-level graph, created on first use,
/// and is imported by name into every (sub)graph that reads it: the two branches of a merged decoder share one copy,
/// as in optimum's merged exports. Values come from (seed, weight name) only.
/// </summary>
public sealed class WeightStore
{
    private readonly Dictionary<string, object> _created = new(StringComparer.Ordinal);
    private readonly Dictionary<GraphBuilder, HashSet<string>> _imported = new(ReferenceEqualityComparer.Instance);

    public WeightStore(GraphBuilder main, long seed, WeightQuantization quantization)
    {
        ArgumentNullException.ThrowIfNull(main);
        Main = main;
        Seed = seed;
        Quantization = quantization;
    }

    public GraphBuilder Main { get; }

    public long Seed { get; }

    /// <summary>Storage of the weights that <see cref="Quantized"/> is asked for; None keeps them float32.</summary>
    public WeightQuantization Quantization { get; }

    /// <summary>Values ~ N(mean, std²) from the stream of (seed, name), the same stream GraphBuilder.RandomNormal draws.</summary>
    public float[] Normal(string name, double std, double mean, long count)
    {
        var random = DeterministicRandom.ForTensor(Seed, name);
        var values = new float[checked((int)count)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(mean + (std * random.NextNormal()));
        }

        return values;
    }

    /// <summary>A float32 initializer (created once), usable in <paramref name="graph"/>.</summary>
    public string FullPrecision(GraphBuilder graph, string name, long[] dims, Func<float[]> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!_created.TryGetValue(name, out var existing))
        {
            Main.Floats(name, values(), dims);
            _created[name] = name;
        }
        else if (existing is not string)
        {
            throw new InvalidOperationException($"Weight '{name}' was already created quantized.");
        }

        Import(graph, name);
        return name;
    }

    /// <summary>
    /// A weight stored quantized (names <c>{name}_quantized</c>, <c>{name}_scale</c>, <c>{name}_zero_point</c>),
    /// created once, usable in <paramref name="graph"/>. Only valid when <see cref="Quantization"/> is not None.
    /// </summary>
    public QuantizedWeightNames Quantized(GraphBuilder graph, string name, long[] dims, Func<float[]> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (Quantization == WeightQuantization.None)
        {
            throw new InvalidOperationException("This model stores its weights as float32.");
        }

        if (!_created.TryGetValue(name, out var existing))
        {
            var q = QuantizedTensor.Quantize(values(), Quantization);
            var names = new QuantizedWeightNames(name + "_quantized", name + "_scale", name + "_zero_point", q.Type);
            Main.Bytes(names.Quantized, q.Type, dims, q.Values);
            Main.FloatScalar(q.Scale, names.Scale);
            Main.Bytes(names.ZeroPoint, q.Type, [], [q.ZeroPoint]);
            _created[name] = names;
            existing = names;
        }

        var quantized = existing as QuantizedWeightNames
            ?? throw new InvalidOperationException($"Weight '{name}' was already created as float32.");
        Import(graph, quantized.Quantized);
        Import(graph, quantized.Scale);
        Import(graph, quantized.ZeroPoint);
        return quantized;
    }

    private void Import(GraphBuilder graph, string name)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (ReferenceEquals(graph, Main))
        {
            return;
        }

        if (!_imported.TryGetValue(graph, out var names))
        {
            names = new HashSet<string>(StringComparer.Ordinal);
            _imported[graph] = names;
        }

        if (names.Add(name))
        {
            graph.OuterValue(name);
        }
    }
}
