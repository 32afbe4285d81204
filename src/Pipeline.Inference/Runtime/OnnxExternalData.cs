using Google.Protobuf;

namespace Pipeline.Inference.Runtime;

/// <summary>
/// The external-data files an ONNX graph names (<c>TensorProto.external_data["location"]</c> of its initializers), read
/// from the protobuf without loading any weights: exports past protobuf's 2 GB limit (M-CLIP's XLM-R text tower) keep
/// their tensors in hundreds of files beside <c>model.onnx</c>, and this is how a fetch knows which.
/// </summary>
public static class OnnxExternalData
{
    // Field numbers from onnx.proto3: ModelProto.graph, GraphProto.initializer, TensorProto.external_data,
    // StringStringEntryProto.key / value.
    private const int ModelGraph = 7;
    private const int GraphInitializer = 5;
    private const int TensorExternalData = 13;
    private const int EntryKey = 1;
    private const int EntryValue = 2;

    /// <returns>Each distinct location, relative to the graph's folder, in the order the graph names them.</returns>
    /// <exception cref="InvalidDataException">The file is not an ONNX protobuf, or a location leaves its folder.</exception>
    public static IReadOnlyList<string> Locations(string onnxPath)
    {
        using var stream = File.OpenRead(onnxPath);
        var locations = new List<string>();
        try
        {
            var model = new CodedInputStream(stream);
            for (var tag = model.ReadTag(); tag != 0; tag = model.ReadTag())
            {
                if (WireFormat.GetTagFieldNumber(tag) == ModelGraph && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                {
                    ReadGraph(model.ReadBytes(), locations);
                }
                else
                {
                    model.SkipLastField();
                }
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{onnxPath} is not an ONNX model: {e.Message}", e);
        }

        foreach (var location in locations)
        {
            if (Path.IsPathRooted(location) || location.Split('/', '\\').Contains(".."))
            {
                throw new InvalidDataException($"{onnxPath} names external data outside its folder: '{location}'.");
            }
        }

        return locations.Distinct(StringComparer.Ordinal).ToList();
    }

    private static void ReadGraph(ByteString graphBytes, List<string> locations)
    {
        var graph = graphBytes.CreateCodedInput();
        for (var tag = graph.ReadTag(); tag != 0; tag = graph.ReadTag())
        {
            if (WireFormat.GetTagFieldNumber(tag) == GraphInitializer && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                ReadTensor(graph.ReadBytes(), locations);
            }
            else
            {
                graph.SkipLastField();
            }
        }
    }

    private static void ReadTensor(ByteString tensorBytes, List<string> locations)
    {
        var tensor = tensorBytes.CreateCodedInput();
        for (var tag = tensor.ReadTag(); tag != 0; tag = tensor.ReadTag())
        {
            if (WireFormat.GetTagFieldNumber(tag) != TensorExternalData || WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
            {
                tensor.SkipLastField();
                continue;
            }

            var entry = tensor.ReadBytes().CreateCodedInput();
            string? key = null, value = null;
            for (var field = entry.ReadTag(); field != 0; field = entry.ReadTag())
            {
                switch (WireFormat.GetTagFieldNumber(field))
                {
                    case EntryKey:
                        key = entry.ReadString();
                        break;
                    case EntryValue:
                        value = entry.ReadString();
                        break;
                    default:
                        entry.SkipLastField();
                        break;
                }
            }

            if (key == "location" && !string.IsNullOrEmpty(value))
            {
                locations.Add(value);
            }
        }
    }
}
