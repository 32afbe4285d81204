using Google.Protobuf;
using Pipeline.StandInModels.Onnx.Protobuf;

namespace Pipeline.StandInModels.Onnx;

public static class OnnxFile
{
    public static void Write(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stream = File.Create(path);
        model.WriteTo(stream);
    }

    public static ModelProto Read(string path)
    {
        using var stream = File.OpenRead(path);
        return ModelProto.Parser.ParseFrom(stream);
    }
}
