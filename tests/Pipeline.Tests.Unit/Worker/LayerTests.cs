using System.Text.RegularExpressions;
using Pipeline.Tests.Unit.Deploy;

namespace Pipeline.Tests.Unit.Worker;

/// <summary>
/// The worker's folders are its layers, in the direction data flows (intake → processing → device → results): no file
/// imports a layer above its own, and no layer names a model (models are behind the contract, listed in one place).
/// </summary>
public sealed partial class LayerTests
{
    private static readonly string[] Layers = ["Intake", "Processing", "Device", "Results"];

    [Fact]
    public void NoLayerImportsOneAboveIt()
    {
        var upward = SourceFiles().SelectMany(file => Upward(file.Name, file.Layer, File.ReadAllText(file.Path))).ToList();

        Assert.Empty(upward);
        Assert.Equal(Layers.Length, SourceFiles().Select(file => file.Layer).Distinct().Count());
    }

    [Fact]
    public void TheChecksSeeWhatTheyLookFor()
    {
        Assert.Equal(
            ["Device/X.cs imports Processing"],
            Upward("Device/X.cs", 2, "using Pipeline.Worker.Results;\nusing Pipeline.Worker.Processing;\nusing Pipeline.Worker.Telemetry;\n"));
        Assert.Matches(ModelNamespaces(), "using Pipeline.Inference.Ocr;");
        Assert.DoesNotMatch(ModelNamespaces(), "using Pipeline.Inference.Contract;");
    }

    private static IEnumerable<string> Upward(string name, int layer, string source) =>
        WorkerImports().Matches(source)
            .Select(import => Array.IndexOf(Layers, import.Groups[1].Value))
            .Where(imported => imported >= 0 && imported < layer)
            .Select(imported => $"{name} imports {Layers[imported]}");

    [Fact]
    public void NoLayerOrStartUpCodeNamesAModel()
    {
        var files = SourceFiles().Select(file => (file.Name, file.Path))
            .Concat(Directory.GetFiles(DeployFiles.PathOf("src/Pipeline.Worker/Hosting"), "*.cs").Select(path => (Path.GetFileName(path), path)));

        var naming = files
            .Where(file => ModelNamespaces().IsMatch(File.ReadAllText(file.Item2)))
            .Select(file => file.Item1)
            .ToList();

        Assert.Empty(naming);
    }

    private static IEnumerable<(string Name, string Path, int Layer)> SourceFiles() =>
        Layers.SelectMany((layer, index) =>
            Directory.GetFiles(DeployFiles.PathOf($"src/Pipeline.Worker/{layer}"), "*.cs", SearchOption.AllDirectories)
                .Select(path => ($"{layer}/{Path.GetFileName(path)}", path, index)));

    [GeneratedRegex(@"^using Pipeline\.Worker\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex WorkerImports();

    [GeneratedRegex(@"Pipeline\.Inference\.(Captioning|Embeddings|Ocr|Florence)\b|ClipImageEmbedder|VisionEncoderDecoderCaptioner|ChatCaptioner|PaddleTextReader")]
    private static partial Regex ModelNamespaces();
}
