using Microsoft.Extensions.Options;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Runtime;
using Pipeline.StandInModels;
using Pipeline.StandInModels.MClip;

namespace Pipeline.Tests.Unit.Embeddings;

/// <summary>
/// M-CLIP's text tower in Immich's layout (a stand-in with its weights in external-data files beside the graph): it
/// loads by path, embeds any language into unit vectors of the image tower's size, and start-up refuses a query tower
/// that cannot query the configured image tower.
/// </summary>
public sealed class MClipTextEmbedderTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly MClipTextEmbedder _embedder;

    public MClipTextEmbedderTests()
    {
        MClipStandIn.Write(_folder.Path);
        _embedder = new MClipTextEmbedder(new QueryEmbedderOptions { Path = _folder.Path }, StandInEmbedderFixture.CpuSessions());
    }

    [Fact]
    public async Task AKoreanQueryBecomesAUnitVectorOfTheImageTowersSizeAndOtherTextsLandElsewhere()
    {
        string[] texts = ["고슴도치 사진을 찾아 줘.", "ハリネズミの写真", "photo of a hedgehog", "고슴도치 사진을 찾아 줘."];

        var vectors = await _embedder.EmbedAsync(texts, TestContext.Current.CancellationToken);

        Assert.Equal(512, _embedder.Dimensions);
        Assert.All(vectors, v => Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 4));
        Assert.Equal(vectors[0], vectors[3]);
        Assert.True(Dot(vectors[0], vectors[1]) < 0.999, "different texts must embed apart");
        Assert.True(Dot(vectors[0], vectors[2]) < 0.999, "different texts must embed apart");
        Assert.Equal((MClipStandInOptions.DefaultModelId, true), (_embedder.Identity.ModelId, _embedder.Identity.IsStandIn));
    }

    [Fact]
    public void TheWeightsLiveInExternalDataFilesTheGraphNames()
    {
        var locations = OnnxExternalData.Locations(_folder.Sub(MClipStandIn.TextualModelPath));

        Assert.Contains("transformer.embeddings.word_embeddings.weight", locations);
        Assert.True(locations.Count >= 10, $"{locations.Count} external-data files");
        Assert.All(locations, l => Assert.True(File.Exists(_folder.Sub("textual/" + l)), l));
        Assert.True(new FileInfo(_folder.Sub(MClipStandIn.TextualModelPath)).Length < 64 * 1024, "the graph keeps no weights of its own");
    }

    [Fact]
    public void AMissingExternalDataFileIsRefusedWhenTheTowerLoads()
    {
        using var broken = new TempFolder();
        MClipStandIn.Write(broken.Path);
        File.Delete(broken.Sub("textual/transformer.embeddings.word_embeddings.weight"));

        var refused = Assert.Throws<ModelNotFoundException>(() =>
            new MClipTextEmbedder(new QueryEmbedderOptions { Path = broken.Path }, StandInEmbedderFixture.CpuSessions()));

        Assert.StartsWith($"The M-CLIP text model file '{broken.Sub(MClipStandIn.TextualModelPath)}' is not a loadable ONNX model", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheStandInsPairingAcceptsTheClipStandInItQueries()
    {
        var result = Validate(ClipStandInOptions.XenovaModelId, []);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void AnImageTowerItCannotQueryStopsTheStartNamingBothSides()
    {
        var result = Validate("clip-vit-large-patch14", []);

        Assert.True(result.Failed);
        Assert.Equal(
            $"Models:QueryEmbedder ({_folder.Path}) queries vectors of {ClipStandInOptions.XenovaModelId}, {ClipStandInOptions.ImmichModelId}, but Models:ImageEmbedder is 'clip-vit-large-patch14': its vectors are in another space. Use one of those image towers or leave Models:QueryEmbedder:Path empty.",
            result.FailureMessage);
    }

    [Fact]
    public void ConfiguredQueriesOverrideTheMarkerAndAFolderThatSaysNothingIsRefused()
    {
        Assert.True(Validate("my-clip", ["my-clip"]).Succeeded);

        using var unmarked = new TempFolder();
        var result = new QueryEmbedderPairing(Options.Create(new ImageEmbedderOptions { Path = _folder.Path, ModelId = "my-clip" }))
            .Validate(null, new QueryEmbedderOptions { Path = unmarked.Path });
        Assert.StartsWith($"Models:QueryEmbedder ({unmarked.Path}) does not say which image towers it can query", result.FailureMessage, StringComparison.Ordinal);

        var withoutImages = new QueryEmbedderPairing(Options.Create(new ImageEmbedderOptions()))
            .Validate(null, new QueryEmbedderOptions { Path = _folder.Path });
        Assert.StartsWith("Models:QueryEmbedder:Path is set but Models:ImageEmbedder:Path is not", withoutImages.FailureMessage, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _embedder.Dispose();
        _folder.Dispose();
    }

    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();

    /// <summary>The pairing check with an image tower folder whose id is <paramref name="imageModelId"/> (configured).</summary>
    private ValidateOptionsResult Validate(string imageModelId, List<string> queries) =>
        new QueryEmbedderPairing(Options.Create(new ImageEmbedderOptions { Path = _folder.Path, ModelId = imageModelId }))
            .Validate(null, new QueryEmbedderOptions { Path = _folder.Path, Queries = queries });
}
