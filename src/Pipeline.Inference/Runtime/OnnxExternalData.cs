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
            foreach (var graph in Messages(new CodedInputStream(stream), ModelGraph))
            {
                foreach (var tensor in Messages(graph.CreateCodedInput(), GraphInitializer))
                {
                    foreach (var entry in Messages(tensor.CreateCodedInput(), TensorExternalData))
                    {
                        if (KeyAndValue(entry) is ("location", { Length: > 0 } location))
                        {
                            locations.Add(location);
                        }
                    }
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

    /// <summary>Each occurrence of the embedded message <paramref name="field"/>, skipping every other field.</summary>
    private static IEnumerable<ByteString> Messages(CodedInputStream input, int field)
    {
        for (var tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                yield return input.ReadBytes();
            }
            else
            {
                input.SkipLastField();
            }
        }
    }

    private static (string? Key, string? Value) KeyAndValue(ByteString entryBytes)
    {
        var entry = entryBytes.CreateCodedInput();
        string? key = null, value = null;
        for (var tag = entry.ReadTag(); tag != 0; tag = entry.ReadTag())
        {
            switch (WireFormat.GetTagFieldNumber(tag))
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

        return (key, value);
    }
}
