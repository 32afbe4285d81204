using Google.Protobuf;
using Pipeline.StandInModels.Onnx.Protobuf;

namespace Pipeline.StandInModels.Onnx;

/// <summary>
/// Writes a model the way torch.onnx.export does past protobuf's 2 GB limit: every initializer of at least
/// <see cref="Threshold"/> bytes goes to its own file beside the .onnx, named after the tensor (':' becomes '_', so
/// <c>onnx::MatMul_2679</c> is <c>onnx__MatMul_2679</c>), and the graph keeps only its location, offset and length.
/// </summary>
public static class ExternalData
{
    /// <summary>onnx's default size threshold: smaller tensors stay inside the graph.</summary>
    public const int Threshold = 1024;

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> and returns the external files' names, in graph order.</summary>
    public static IReadOnlyList<string> Write(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var files = new List<string>();
        foreach (var tensor in model.Graph.Initializer)
        {
            if (tensor.RawData.Length < Threshold)
            {
                continue;
            }

            var name = FileNameOf(tensor.Name);
            File.WriteAllBytes(Path.Combine(folder, name), tensor.RawData.ToByteArray());
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = name });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = tensor.RawData.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.RawData = ByteString.Empty;
            files.Add(name);
        }

        OnnxFile.Write(model, path);
        return files;
    }

    public static string FileNameOf(string tensorName) => tensorName.Replace(':', '_').Replace('/', '_');
}
