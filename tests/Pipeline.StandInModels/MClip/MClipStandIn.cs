using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Pipeline.StandInModels.MClip;

/// <summary>
/// Writes a random-weight M-CLIP text tower in the layout of immich-app/XLM-Roberta-Large-Vit-B-32: <c>config.json</c>
/// (open_clip's ViT-B-32 config, as Immich ships it), <c>textual/model.onnx</c> with its weights in external-data files
/// beside it (one per tensor, as the real export's hundreds), the XLM-R tokenizer files in <c>textual/</c>
/// (<see cref="XlmRobertaTokenizerFiles"/>), and <c>stand-in.json</c> naming the image towers it queries.
/// </summary>
public static class MClipStandIn
{
    /// <summary>Bump when the generated files change, so cached folders are rewritten.</summary>
    public const string GeneratorVersion = "mclip-1";

    public const string Layout = "immich-app/XLM-Roberta-Large-Vit-B-32";
    public const string TextualFolder = "textual";
    public const string TextualModelPath = "textual/model.onnx";
    public const string ConfigFileName = "config.json";

    private const string ImmichConfigFamily = "immich-clip-vit-b-32";
    private const string ImmichConfigFile = "config.reconstructed.json";

    /// <summary>The files every folder has (the external-data files are listed by <see cref="Write"/>).</summary>
    public static IReadOnlyList<string> FileNames { get; } =
    [
        ConfigFileName, TextualModelPath,
        .. XlmRobertaTokenizerFiles.FileNames.Select(f => TextualFolder + "/" + f),
        StandInMarker.FileName,
    ];

    /// <summary>Writes every file (folder created if needed) and returns their paths, external-data files included.</summary>
    public static IReadOnlyList<string> Write(string folder, MClipStandInOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        options ??= new MClipStandInOptions();
        var textual = Path.Combine(folder, TextualFolder);
        Directory.CreateDirectory(textual);
        var complete = Path.Combine(folder, StandInFolder.CompleteFileName);
        File.Delete(complete);

        List<string> paths = [StandInFiles.Copy(Path.Combine(VocabFiles.Folder(ImmichConfigFamily), ImmichConfigFile), folder, ConfigFileName)];
        var modelPath = Path.Combine(folder, TextualModelPath);
        var graph = MClipTextGraph.Build(options, XlmRobertaTokenizerFiles.Vocabulary.Count);
        paths.Add(modelPath);
        paths.AddRange(Onnx.ExternalData.Write(graph, modelPath).Select(name => Path.Combine(textual, name)));
        paths.AddRange(XlmRobertaTokenizerFiles.WriteTo(textual));
        paths.Add(StandInFiles.WriteJson(folder, StandInMarker.FileName, Marker(options)));
        File.WriteAllText(complete, OptionsHash(options) + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return paths;
    }

    /// <summary>Reuses the folder when an earlier run wrote it from the same options and files; writes it otherwise.</summary>
    public static StandInWriteResult WriteOrReuse(string folder, MClipStandInOptions? options = null)
    {
        options ??= new MClipStandInOptions();
        return StandInFolder.WriteOrReuse(folder, OptionsHash(options), FileNames, staging => Write(staging, options));
    }

    public static JsonObject Marker(MClipStandInOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var json = BaseMarker(options).ToJson();
        json["generatorVersion"] = GeneratorVersion;
        json["role"] = "query-text-embedder";
        json["queries"] = new JsonArray([.. options.Queries.Select(q => JsonValue.Create(q))]);
        json["vocabularySize"] = XlmRobertaTokenizerFiles.Vocabulary.Count;
        json["layers"] = options.Dimensions.Layers;
        return json;
    }

    internal static IEnumerable<KeyValuePair<string, string>> ModelMetadata(MClipStandInOptions options) =>
    [
        .. BaseMarker(options).ToModelMetadata(),
        new("stand_in.generator_version", GeneratorVersion),
        new("stand_in.queries", string.Join(',', options.Queries)),
    ];

    private static StandInMarker BaseMarker(MClipStandInOptions options) =>
        new(options.EffectiveModelId, Layout, options.Dimensions.Hidden, options.Seed);

    private static string OptionsHash(MClipStandInOptions options)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"generator={StandInMarker.GeneratorName}/{StandInMarker.GeneratorVersion}/{GeneratorVersion}\n")
            .Append(CultureInfo.InvariantCulture, $"seed={options.Seed}\nmodelId={options.EffectiveModelId}\nqueries={string.Join(',', options.Queries)}\n")
            .Append(CultureInfo.InvariantCulture, $"size={options.Dimensions}\ntokenizer={XlmRobertaTokenizerFiles.SourceHash()}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
