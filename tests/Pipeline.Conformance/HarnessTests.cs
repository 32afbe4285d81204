using Pipeline.StandInModels;

namespace Pipeline.Conformance;

/// <summary>The reference harness must fail loudly, never pass or skip quietly.</summary>
public sealed class HarnessTests
{
    [Fact]
    public async Task MissingModelFolderFailsWithTheFolderName()
    {
        using var temp = new TempFolder();
        var missing = temp.Sub("no-such-model");
        var image = ConformanceImages.WriteOtherSizes(temp.Path)[0].Path;

        var error = await Assert.ThrowsAsync<TransformersJsException>(() => TransformersJs.Default.ClipImageAsync(
            new ClipImageRequest { Model = missing, Images = [image] }, TestContext.Current.CancellationToken));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FolderWithoutTheVisionModelFailsInsideTransformersJs()
    {
        // The folder exists and has its JSON files, so the error comes from transformers.js' own loader looking for
        // onnx/vision_model.onnx: proof that it reads the layout we write, not something else.
        using var temp = new TempFolder();
        var model = temp.Sub("clip");
        ClipStandIn.Write(model, new ClipStandInOptions { Layout = ClipStandInLayout.Xenova });
        File.Delete(Path.Combine(model, ClipStandIn.XenovaVisionModelPath));
        var image = ConformanceImages.WriteOtherSizes(temp.Path)[0].Path;

        var error = await Assert.ThrowsAsync<TransformersJsException>(() => TransformersJs.Default.ClipImageAsync(
            new ClipImageRequest { Model = model, Images = [image] }, TestContext.Current.CancellationToken));

        Assert.Contains(Path.Combine(model, ClipStandIn.XenovaVisionModelPath), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingPackagesNameTheInstallCommand()
    {
        using var temp = new TempFolder();
        foreach (var file in new[] { "reference.mjs", "package.json" })
        {
            File.Copy(Path.Combine(TransformersJs.Default.JsFolder, file), temp.Sub(file));
        }

        var error = Assert.Throws<TransformersJsException>(() => new TransformersJs(temp.Path).CheckInstalled());

        Assert.Contains("npm ci", error.Message, StringComparison.Ordinal);
        Assert.Contains(temp.Path, error.Message, StringComparison.Ordinal);
    }
}
