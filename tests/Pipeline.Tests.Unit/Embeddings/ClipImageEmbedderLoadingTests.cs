using Pipeline.Inference.Runtime;
using Pipeline.StandInModels;

namespace Pipeline.Tests.Unit.Embeddings;

public sealed class ClipImageEmbedderLoadingTests
{
    [Fact]
    public void MissingFolderIsReportedWithItsPath()
    {
        using var temp = new TempFolder();
        var missing = temp.Sub("no-such-model");

        var error = Assert.Throws<ModelNotFoundException>(() => StandInEmbedderFixture.Open(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingOnnxFileIsReportedWithItsPath()
    {
        using var temp = new TempFolder();

        var error = Assert.Throws<ModelNotFoundException>(() => StandInEmbedderFixture.Open(temp.Path));

        Assert.Contains(Path.Combine("onnx", "vision_model.onnx"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GarbageOnnxFileIsReportedAsNotLoadable()
    {
        using var temp = new TempFolder();
        ClipStandIn.Write(temp.Path, new ClipStandInOptions { Layout = ClipStandInLayout.Xenova });
        var garbage = new byte[2048];
        new Random(5).NextBytes(garbage);
        File.WriteAllBytes(Path.Combine(temp.Path, ClipStandIn.XenovaVisionModelPath), garbage);

        var error = Assert.Throws<ModelNotFoundException>(() => StandInEmbedderFixture.Open(temp.Path));

        Assert.Contains("not a loadable ONNX model", error.Message, StringComparison.Ordinal);
    }
}
