using System.Text;
using Google.Protobuf;
using Pipeline.StandInModels.Onnx.Protobuf;
using static Pipeline.StandInModels.Onnx.Protobuf.AttributeProto.Types;

namespace Pipeline.StandInModels.Onnx;

/// <summary>AttributeProto factories; each sets the type discriminator that IR version 2+ requires.</summary>
public static class Attr
{
    public static AttributeProto Of(string name, long value) =>
        new() { Name = name, Type = AttributeType.Int, I = value };

    public static AttributeProto Of(string name, float value) =>
        new() { Name = name, Type = AttributeType.Float, F = value };

    public static AttributeProto Of(string name, string value) =>
        new() { Name = name, Type = AttributeType.String, S = ByteString.CopyFrom(value, Encoding.UTF8) };

    public static AttributeProto Of(string name, TensorProto value) =>
        new() { Name = name, Type = AttributeType.Tensor, T = value };

    /// <summary>Subgraph attribute, for If/Loop/Scan bodies.</summary>
    public static AttributeProto Of(string name, GraphProto value) =>
        new() { Name = name, Type = AttributeType.Graph, G = value };

    public static AttributeProto Of(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Of(string name, float[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeType.Floats };
        attribute.Floats.AddRange(values);
        return attribute;
    }
}
