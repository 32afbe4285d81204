using Pipeline.StandInModels.Onnx.Protobuf;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels.Onnx;

/// <summary>
/// Builds an ONNX graph value by value. Values are referred to by name (string); node helpers return the
/// name of the value they produce. Node and value names follow torch.onnx.export ("/scope/Op_output_0"),
/// so stand-in graphs read like real exports in Netron or in error messages.
/// </summary>
public sealed partial class GraphBuilder
{
    /// <summary>The oldest default-domain opset the op helpers know how to emit.</summary>
    public const int MinimumOpset = 13;

    private readonly GraphProto _graph;
    private readonly long _seed;
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly Stack<string> _scopes = new();
    private readonly List<OperatorSetIdProto> _opsets = [];

    public GraphBuilder(string graphName, int opset = 17, long seed = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        ArgumentOutOfRangeException.ThrowIfLessThan(opset, MinimumOpset);
        _graph = new GraphProto { Name = graphName };
        _seed = seed;
        Opset = opset;
        _opsets.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    /// <summary>Default-domain opset; helpers whose signature changed between opsets emit the matching form.</summary>
    public int Opset { get; }

    /// <summary>Imports another operator set, e.g. ("com.microsoft", 1) for ORT contrib ops.</summary>
    public GraphBuilder ImportOpset(string domain, int version)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        _opsets.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        return this;
    }

    public string Input(string name, DataType type, params Dimension[] shape)
    {
        _graph.Input.Add(ValueInfo(name, type, shape));
        Declare(name);
        return name;
    }

    /// <summary>Makes a value of an enclosing graph usable in this one (If/Loop bodies capture outer values by name).</summary>
    public string OuterValue(string name)
    {
        Declare(name);
        return name;
    }

    public GraphBuilder Output(string value, DataType type, params Dimension[] shape)
    {
        RequireKnown(value);
        _graph.Output.Add(ValueInfo(value, type, shape));
        return this;
    }

    /// <summary>Optional shape annotation for an intermediate value.</summary>
    public GraphBuilder Annotate(string value, DataType type, params Dimension[] shape)
    {
        RequireKnown(value);
        _graph.ValueInfo.Add(ValueInfo(value, type, shape));
        return this;
    }

    public string Initializer(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Declare(tensor.Name);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Weight with values ~ N(0, 1/fanIn), the usual scale that keeps activations near unit variance.</summary>
    public string RandomWeight(string name, long fanIn, params long[] dims)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fanIn, 1);
        return RandomNormal(name, std: 1.0 / Math.Sqrt(fanIn), mean: 0.0, dims);
    }

    /// <summary>Values ~ N(mean, std²), drawn from the stream of (seed, name).</summary>
    public string RandomNormal(string name, double std, double mean, params long[] dims)
    {
        var random = DeterministicRandom.ForTensor(_seed, name);
        var values = new float[checked((int)Tensors.ElementCount(dims))];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(mean + (std * random.NextNormal()));
        }

        return Initializer(Tensors.FromFloats(name, dims, values));
    }

    public string Floats(string name, float[] values, params long[] dims) =>
        Initializer(Tensors.FromFloats(name, dims, values));

    /// <summary>1-D int64 constant (shapes, axes, indices); named after the current scope unless a name is given.</summary>
    public string Int64s(long[] values, string? name = null) =>
        Initializer(Tensors.FromInt64s(name ?? UniqueNodeName("Constant") + "_output_0", [values.Length], values));

    /// <summary>Int64 scalar constant (rank 0), e.g. a Gather index that drops the axis.</summary>
    public string Int64Scalar(long value, string? name = null) =>
        Initializer(Tensors.FromInt64s(name ?? UniqueNodeName("Constant") + "_output_0", [], [value]));

    /// <summary>Float scalar constant (rank 0), e.g. an epsilon or a scale.</summary>
    public string FloatScalar(float value, string? name = null) =>
        Initializer(Tensors.FromFloats(name ?? UniqueNodeName("Constant") + "_output_0", [], [value]));

    /// <summary>Prefixes node and value names created inside the using block, like a torch module path.</summary>
    public IDisposable Scope(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _scopes.Push(name);
        return new ScopeExit(_scopes);
    }

    /// <summary>
    /// Adds a node. A null entry in <paramref name="outputs"/> gets a generated name; an empty input ("")
    /// marks an omitted optional input, as in ONNX.
    /// </summary>
    public IReadOnlyList<string> AddNode(
        string opType,
        IReadOnlyList<string> inputs,
        IReadOnlyList<string?> outputs,
        IEnumerable<AttributeProto>? attributes = null,
        string domain = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        foreach (var input in inputs)
        {
            if (input.Length > 0)
            {
                RequireKnown(input);
            }
        }

        var nodeName = UniqueNodeName(opType);
        var node = new NodeProto { Name = nodeName, OpType = opType };
        if (domain.Length > 0)
        {
            node.Domain = domain;
        }

        node.Input.AddRange(inputs);
        var names = new string[outputs.Count];
        for (var i = 0; i < outputs.Count; i++)
        {
            names[i] = outputs[i] ?? $"{nodeName}_output_{i}";
            Declare(names[i]);
        }

        node.Output.AddRange(names);
        if (attributes is not null)
        {
            node.Attribute.AddRange(attributes);
        }

        _graph.Node.Add(node);
        return names;
    }

    /// <summary>Adds a single-output node and returns its output.</summary>
    public string Op(string opType, IReadOnlyList<string> inputs, string? output = null, params AttributeProto[] attributes) =>
        AddNode(opType, inputs, [output], attributes)[0];

    public GraphProto ToGraph() => _graph.Clone();

    /// <summary>Wraps the graph in a model. Producer fields are fixed so equal inputs give byte-identical files.</summary>
    public ModelProto ToModel(long irVersion = 8, IEnumerable<KeyValuePair<string, string>>? metadata = null, string? docString = null)
    {
        var model = new ModelProto
        {
            IrVersion = irVersion,
            ProducerName = StandInMarker.GeneratorName,
            ProducerVersion = StandInMarker.GeneratorVersion,
            Graph = ToGraph(),
        };
        if (docString is not null)
        {
            model.DocString = docString;
        }

        model.OpsetImport.AddRange(_opsets.Select(o => o.Clone()));
        foreach (var (key, value) in metadata ?? [])
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    private static ValueInfoProto ValueInfo(string name, DataType type, Dimension[] shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var tensorShape = new TensorShapeProto();
        foreach (var dim in shape)
        {
            tensorShape.Dim.Add(dim.Param is { } param
                ? new TensorShapeProto.Types.Dimension { DimParam = param }
                : new TensorShapeProto.Types.Dimension { DimValue = dim.Value!.Value });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }

    private string UniqueNodeName(string opType)
    {
        var prefix = _scopes.Count == 0 ? "/" : "/" + string.Join('/', _scopes.Reverse()) + "/";
        var name = prefix + opType;
        for (var i = 1; !_nodeNames.Add(name); i++)
        {
            name = $"{prefix}{opType}_{i}";
        }

        return name;
    }

    private void Declare(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!_values.Add(name))
        {
            throw new InvalidOperationException($"Value '{name}' is already defined in graph '{_graph.Name}'.");
        }
    }

    private void RequireKnown(string value)
    {
        if (!_values.Contains(value))
        {
            throw new InvalidOperationException($"Value '{value}' is not an input, initializer or node output of graph '{_graph.Name}'.");
        }
    }

    private sealed class ScopeExit(Stack<string> scopes) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                scopes.Pop();
                _disposed = true;
            }
        }
    }
}
