using Pipeline.StandInModels.Onnx.Protobuf;

namespace Pipeline.StandInModels.Tests;

/// <summary>Field numbers of the hand-written onnx.proto, pinned to upstream onnx/onnx.proto.</summary>
public sealed class OnnxSchemaTests
{
    public static TheoryData<string, string, int> Fields => new()
    {
        { "ModelProto", "ir_version", 1 }, { "ModelProto", "producer_name", 2 }, { "ModelProto", "producer_version", 3 },
        { "ModelProto", "domain", 4 }, { "ModelProto", "model_version", 5 }, { "ModelProto", "doc_string", 6 },
        { "ModelProto", "graph", 7 }, { "ModelProto", "opset_import", 8 }, { "ModelProto", "metadata_props", 14 },
        { "GraphProto", "node", 1 }, { "GraphProto", "name", 2 }, { "GraphProto", "initializer", 5 },
        { "GraphProto", "doc_string", 10 }, { "GraphProto", "input", 11 }, { "GraphProto", "output", 12 },
        { "GraphProto", "value_info", 13 }, { "GraphProto", "metadata_props", 16 },
        { "NodeProto", "input", 1 }, { "NodeProto", "output", 2 }, { "NodeProto", "name", 3 }, { "NodeProto", "op_type", 4 },
        { "NodeProto", "attribute", 5 }, { "NodeProto", "doc_string", 6 }, { "NodeProto", "domain", 7 },
        { "NodeProto", "overload", 8 }, { "NodeProto", "metadata_props", 9 },
        { "AttributeProto", "name", 1 }, { "AttributeProto", "f", 2 }, { "AttributeProto", "i", 3 }, { "AttributeProto", "s", 4 },
        { "AttributeProto", "t", 5 }, { "AttributeProto", "g", 6 }, { "AttributeProto", "floats", 7 }, { "AttributeProto", "ints", 8 },
        { "AttributeProto", "strings", 9 }, { "AttributeProto", "tensors", 10 }, { "AttributeProto", "graphs", 11 },
        { "AttributeProto", "doc_string", 13 }, { "AttributeProto", "tp", 14 }, { "AttributeProto", "type_protos", 15 },
        { "AttributeProto", "type", 20 }, { "AttributeProto", "ref_attr_name", 21 },
        { "TensorProto", "dims", 1 }, { "TensorProto", "data_type", 2 }, { "TensorProto", "float_data", 4 },
        { "TensorProto", "int32_data", 5 }, { "TensorProto", "string_data", 6 }, { "TensorProto", "int64_data", 7 },
        { "TensorProto", "name", 8 }, { "TensorProto", "raw_data", 9 }, { "TensorProto", "double_data", 10 },
        { "TensorProto", "uint64_data", 11 }, { "TensorProto", "doc_string", 12 }, { "TensorProto", "external_data", 13 },
        { "TensorProto", "data_location", 14 }, { "TensorProto", "metadata_props", 16 },
        { "ValueInfoProto", "name", 1 }, { "ValueInfoProto", "type", 2 }, { "ValueInfoProto", "doc_string", 3 },
        { "ValueInfoProto", "metadata_props", 4 },
        { "TypeProto", "tensor_type", 1 }, { "TypeProto", "sequence_type", 4 }, { "TypeProto", "denotation", 6 },
        { "TypeProto", "optional_type", 9 },
        { "TypeProto.Tensor", "elem_type", 1 }, { "TypeProto.Tensor", "shape", 2 },
        { "TensorShapeProto", "dim", 1 },
        { "TensorShapeProto.Dimension", "dim_value", 1 }, { "TensorShapeProto.Dimension", "dim_param", 2 },
        { "TensorShapeProto.Dimension", "denotation", 3 },
        { "OperatorSetIdProto", "domain", 1 }, { "OperatorSetIdProto", "version", 2 },
        { "StringStringEntryProto", "key", 1 }, { "StringStringEntryProto", "value", 2 },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void FieldNumberMatchesUpstream(string message, string field, int number)
    {
        var path = message.Split('.');
        var descriptor = OnnxReflection.Descriptor.MessageTypes.Single(m => m.Name == path[0]);
        foreach (var nested in path.Skip(1))
        {
            descriptor = descriptor.NestedTypes.Single(m => m.Name == nested);
        }

        Assert.Equal(number, descriptor.FindFieldByName(field)?.FieldNumber);
    }

    [Fact]
    public void EnumValuesMatchUpstream()
    {
        Assert.Equal(1, (int)TensorProto.Types.DataType.Float);
        Assert.Equal(6, (int)TensorProto.Types.DataType.Int32);
        Assert.Equal(7, (int)TensorProto.Types.DataType.Int64);
        Assert.Equal(9, (int)TensorProto.Types.DataType.Bool);
        Assert.Equal(10, (int)TensorProto.Types.DataType.Float16);
        Assert.Equal(16, (int)TensorProto.Types.DataType.Bfloat16);
        Assert.Equal(1, (int)AttributeProto.Types.AttributeType.Float);
        Assert.Equal(2, (int)AttributeProto.Types.AttributeType.Int);
        Assert.Equal(4, (int)AttributeProto.Types.AttributeType.Tensor);
        Assert.Equal(5, (int)AttributeProto.Types.AttributeType.Graph);
        Assert.Equal(7, (int)AttributeProto.Types.AttributeType.Ints);
        Assert.Equal(13, (int)AttributeProto.Types.AttributeType.TypeProto);
    }
}
