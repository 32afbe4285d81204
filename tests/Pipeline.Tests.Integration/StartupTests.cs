using Microsoft.Extensions.Options;
using Pipeline.Inference.Runtime;
using Pipeline.Tests.Integration.Infrastructure;

namespace Pipeline.Tests.Integration;

/// <summary>A worker that would describe images with the wrong model, or guard URLs with a garbled setting, must not start at all.</summary>
public sealed class StartupTests(PipelineServices services)
{
    [Fact]
    public async Task WorkerRefusesToStartWhenAFetchedModelFileNoLongerMatchesItsLock()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var folder = Path.Combine(Path.GetTempPath(), "pipeline-tampered-" + Guid.NewGuid().ToString("N"));
        CopyFolder(services.StandInClipFolder, folder);
        try
        {
            var weights = Path.Combine(folder, "onnx", "vision_model.onnx");
            var sha = await ModelLock.Sha256Async(weights, cancellationToken);
            new ModelLock("clip-vit-base-patch32", "huggingface:Xenova/clip-vit-base-patch32@main", [new LockedFile("onnx/vision_model.onnx", sha, new FileInfo(weights).Length)])
                .Write(folder);
            await File.AppendAllBytesAsync(weights, [0], cancellationToken);
            var database = await services.CreateDatabaseAsync(cancellationToken);

            var error = await Assert.ThrowsAsync<ModelNotFoundException>(() => WorkerUnderTest.StartAsync(
                services, database, 5, cancellationToken, new Dictionary<string, string?> { ["Models:ImageEmbedder:Path"] = folder }));

            Assert.Contains("vision_model.onnx", error.Message, StringComparison.Ordinal);
            Assert.Contains("pipeline models fetch clip-vit-base-patch32", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task WorkerRefusesToStartWithTheOpenAIBackendAndNoModel()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var database = await services.CreateDatabaseAsync(cancellationToken);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => WorkerUnderTest.StartAsync(
            services, database, 5, cancellationToken, new Dictionary<string, string?>
            {
                ["Captioning:Backend"] = "OpenAI",
                ["Captioning:OpenAI:ApiKey"] = "sk-test",
            }));

        Assert.Contains("Captioning:OpenAI needs a Model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerRefusesToStartWithAnAllowedNetworkItCannotRead()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var database = await services.CreateDatabaseAsync(cancellationToken);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => WorkerUnderTest.StartAsync(
            services, database, 5, cancellationToken, new Dictionary<string, string?> { ["Sources:Url:AllowedNetworks:0"] = "intranet" }));

        Assert.Contains("Sources:Url:AllowedNetworks:0 'intranet' is not a network in CIDR form", error.Message, StringComparison.Ordinal);
    }

    private static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
