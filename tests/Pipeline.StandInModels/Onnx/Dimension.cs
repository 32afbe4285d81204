namespace Pipeline.StandInModels.Onnx;

/// <summary>One dimension of a graph input/output: a fixed size or a symbolic name such as "batch_size".</summary>
public readonly record struct Dimension
{
    private Dimension(long? value, string? param)
    {
        Value = value;
        Param = param;
    }

    public long? Value { get; }

    public string? Param { get; }

    public static Dimension Fixed(long value) =>
        value >= 0 ? new Dimension(value, null) : throw new ArgumentOutOfRangeException(nameof(value), value, "A fixed dimension cannot be negative.");

    public static Dimension Symbolic(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new Dimension(null, name);
    }

    public static implicit operator Dimension(long value) => Fixed(value);

    public static implicit operator Dimension(string name) => Symbolic(name);

    public override string ToString() => Param ?? Value!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
