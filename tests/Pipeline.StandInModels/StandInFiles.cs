using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.StandInModels;

internal static class StandInFiles
{
    // Two-space indent and "\n" line ends whatever the OS, like the JSON files of HF repositories.
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string WriteJson(string folder, string fileName, JsonNode json)
    {
        var path = Path.Combine(folder, fileName);
        File.WriteAllText(path, json.ToJsonString(JsonOptions) + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    /// <summary>Copies a file byte for byte into <paramref name="folder"/> as <paramref name="fileName"/>.</summary>
    public static string Copy(string source, string folder, string fileName)
    {
        var path = Path.Combine(folder, fileName);
        File.Copy(source, path, overwrite: true);
        return path;
    }
}
