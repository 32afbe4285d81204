using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Pipeline.Inference.Runtime;
using Pipeline.StandInModels;
using Pipeline.StandInModels.Captioner;
using Pipeline.Testing;
using Pipeline.Tests.Integration.Infrastructure;

namespace Pipeline.Tests.Integration.FirstRun;

/// <summary>
/// The path a new user takes first, on real weights: <c>scripts/demo.sh</c> without <c>--stand-in-models</c> fetches
/// CLIP and distilvit from the Hugging Face hub (<c>HF_ENDPOINT</c>) and describes the samples. The hub is a local
/// server that answers as the real one does; it offers generated stand-ins under the real repository names, so the
/// results stay marked stand-in: their config.json carries the generator's marker.
/// </summary>
public sealed class FirstRealModelRunTests(PipelineServices services)
{
    private static readonly string[] Repositories = ["Xenova/clip-vit-base-patch32", "Mozilla/distilvit"];

    [Fact]
    public async Task TheDemoFetchesItsModelsFromTheHubAndDescribesTheSamples()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var temp = new TempFolder("pipeline-first-run-");
        await using var hub = await FakeHuggingFaceHub.StartAsync(cancellationToken);
        var clip = temp.Sub("served/clip");
        ClipStandIn.Write(clip, new ClipStandInOptions { Layout = ClipStandInLayout.Xenova });
        var captioner = temp.Sub("served/distilvit");
        CaptionerStandIn.Write(captioner, new CaptionerStandInOptions { Layout = CaptionerLayout.Distilvit });
        hub.AddRepository(Repositories[0]);
        hub.ServeFolder(Repositories[0], clip);
        hub.AddRepository(Repositories[1]);
        hub.ServeFolder(Repositories[1], captioner);
        var (manifest, repinned) = ManifestForServedFiles(temp, new Dictionary<string, string> { [Repositories[0]] = clip, [Repositories[1]] = captioner });
        var cache = temp.Sub("cache");
        CopyFolder(PipelineServices.OcrModelFolder, Path.Combine(cache, "ppocr-v4"));
        var database = await services.CreateDatabaseAsync(cancellationToken);
        try
        {
            var (exitCode, output) = await RunDemoAsync(hub.Endpoint, database, cache, manifest, cancellationToken);

            Assert.True(exitCode == 0, $"scripts/demo.sh exited {exitCode}:\n{output}");
            Assert.Contains("Embeddings by stand-in/clip-vit-base-patch32, captions by stand-in/distilvit.", output, StringComparison.Ordinal);
            Assert.Contains("STAND-IN models with random weights", output, StringComparison.Ordinal);
            Assert.Contains("34 described, 1 failed, 0 pending after", output, StringComparison.Ordinal);
            Assert.DoesNotContain("running with what is real", output, StringComparison.Ordinal);
        }
        finally
        {
            await services.DropDatabaseAsync(database);
        }

        // The stand-ins keep the real vocabulary, so only their weights needed pins of their own.
        Assert.Equal(["clip-vit-base-patch32/onnx/text_model.onnx", "clip-vit-base-patch32/onnx/vision_model.onnx"], repinned.Order(StringComparer.Ordinal));
        foreach (var (id, served) in new[] { ("clip-vit-base-patch32", clip), ("distilvit", captioner) })
        {
            var fetched = Path.Combine(cache, id);
            Assert.NotNull(ModelLock.TryRead(fetched));
            Assert.False(File.Exists(Path.Combine(fetched, Pipeline.Inference.Runtime.StandInMarker.FileName)), "stand-in.json is not in the manifest, so it is not fetched");
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(served, "config.json"), cancellationToken),
                await File.ReadAllBytesAsync(Path.Combine(fetched, "config.json"), cancellationToken));
        }

        Assert.Contains(hub.Requests, r => r.Server == "cdn" && r.Method == "GET");
    }

    /// <summary>
    /// models/manifest.json with each pinned file's hash replaced by the served file's where they differ (the stand-ins'
    /// weights are not the real ones); every other pin and path stays as the real manifest has it.
    /// </summary>
    private static (string Path, List<string> Repinned) ManifestForServedFiles(TempFolder temp, Dictionary<string, string> servedFolders)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(ModelFolders.ManifestPath))!;
        var repinned = new List<string>();
        foreach (var model in manifest["models"]!.AsArray())
        {
            if (model!["source"]?["huggingface"]?.GetValue<string>() is not { } repository || !servedFolders.TryGetValue(repository, out var folder))
            {
                continue;
            }

            foreach (var file in model["files"]!.AsArray())
            {
                var path = file!["path"]!.GetValue<string>();
                if (file["sha256"]?.GetValue<string>() is { } pinned && File.Exists(Path.Combine(folder, path)))
                {
                    var served = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, path))));
                    if (served != pinned)
                    {
                        file["sha256"] = served;
                        repinned.Add($"{model["id"]!.GetValue<string>()}/{path}");
                    }
                }
            }
        }

        var manifestPath = temp.Sub("manifest.json");
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        return (manifestPath, repinned);
    }

    private async Task<(int ExitCode, string Output)> RunDemoAsync(Uri hub, string database, string cache, string manifest, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = ModelFolders.BaseFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "scripts/demo.sh", "--no-build", "--models", cache, "--manifest", manifest })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HF_ENDPOINT"] = hub.ToString();
        start.Environment["ConnectionStrings__Postgres"] = database;
        start.Environment["ConnectionStrings__RabbitMq"] = services.Endpoints.RabbitMq;
        start.Environment["ConnectionStrings__Blobs"] = services.Endpoints.Blobs;
        start.Environment["Http__Urls"] = $"http://127.0.0.1:{TcpPorts.Free()}";
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var lines = new Lock();
        process.OutputDataReceived += (_, e) => { lock (lines) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (lines) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        process.WaitForExit();
        lock (lines)
        {
            return (process.ExitCode, output.ToString());
        }
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
