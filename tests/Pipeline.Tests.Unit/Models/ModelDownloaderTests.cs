using System.Net;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Cli.Models;
using Pipeline.Inference.Runtime;

namespace Pipeline.Tests.Unit.Models;

/// <summary>
/// <c>pipeline models fetch</c> against a local server that answers as the Hugging Face hub does: redirects to a CDN,
/// LFS hashes and sizes in headers, 404 for missing files, 401 for gated repositories, ranges.
/// </summary>
public sealed class ModelDownloaderTests : IAsyncLifetime
{
    private const string Repository = "Xenova/clip-vit-base-patch32";
    private readonly TempFolder _folder = new();
    private readonly List<string> _lines = [];
    private FakeHuggingFaceHub _hub = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _hub = await FakeHuggingFaceHub.StartAsync(TestContext.Current.CancellationToken);
        _hub.AddRepository(Repository);
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _hub.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task LargeFilesFollowTheRedirectToTheCdnPinsAreCheckedAndTheRestLocked()
    {
        var weights = Serve("onnx/vision_model.onnx", 300_000);
        var config = Serve("config.json", "{\"model_type\":\"clip\"}");
        var model = Model(new ManifestFile("onnx/vision_model.onnx", Sha(weights)), new ManifestFile("config.json"), new ManifestFile("vocab.json", Optional: true));

        var modelLock = await Downloader().FetchAsync(model, _folder.Path, TestContext.Current.CancellationToken);

        Assert.Equal(weights, await File.ReadAllBytesAsync(_folder.Sub("onnx/vision_model.onnx"), TestContext.Current.CancellationToken));
        Assert.Equal(config, await File.ReadAllBytesAsync(_folder.Sub("config.json"), TestContext.Current.CancellationToken));
        Assert.Equal(["onnx/vision_model.onnx", "config.json"], modelLock.Files.Select(f => f.Path));
        Assert.False(File.Exists(_folder.Sub("vocab.json")));
        Assert.Contains(_hub.Requests, r => r.Server == "cdn" && r.Method == "GET" && r.PathAndQuery.Contains("Signature=", StringComparison.Ordinal));
        Assert.DoesNotContain(_hub.Requests, r => r.Server == "cdn" && r.PathAndQuery.Contains("config.json", StringComparison.Ordinal));
        Assert.Contains(_lines, l => l == $"✓ clip-vit-base-patch32/onnx/vision_model.onnx  {Sha(weights)[..12]}  matches manifest");
        Assert.Contains(_lines, l => l.StartsWith("- clip-vit-base-patch32/vocab.json  not in this revision", StringComparison.Ordinal));
        Assert.Contains(_lines, l => l.Contains("293.0 KB of 293.0 KB", StringComparison.Ordinal) && l.Contains("/s", StringComparison.Ordinal) && l.Contains("ETA", StringComparison.Ordinal));
        await ModelLock.TryRead(_folder.Path)!.VerifyAsync(_folder.Path, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AFileThatDoesNotMatchItsPinIsRefusedNamedAndDeleted()
    {
        var weights = Serve("onnx/vision_model.onnx", 200_000);
        _hub.Corrupt(Repository, "onnx/vision_model.onnx");
        var model = Model(new ManifestFile("onnx/vision_model.onnx", Sha(weights)));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Downloader().FetchAsync(model, _folder.Path, TestContext.Current.CancellationToken));

        Assert.StartsWith("clip-vit-base-patch32/onnx/vision_model.onnx: SHA-256 ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"does not match the manifest's {Sha(weights)}; the file was deleted.", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.Sub("onnx/vision_model.onnx")));
        Assert.False(File.Exists(_folder.Sub("onnx/vision_model.onnx.partial")));
        Assert.Null(ModelLock.TryRead(_folder.Path));
    }

    [Fact]
    public async Task WithoutAPinTheHubsLfsHashRefusesACorruptedFile()
    {
        var weights = Serve("onnx/text_model.onnx", 200_000);
        _hub.Corrupt(Repository, "onnx/text_model.onnx");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            Downloader().FetchAsync(Model(new ManifestFile("onnx/text_model.onnx")), _folder.Path, TestContext.Current.CancellationToken));

        Assert.EndsWith($"does not match the hub's {Sha(weights)}; the file was deleted.", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.Sub("onnx/text_model.onnx")));
    }

    [Fact]
    public async Task ADownloadTheServerCutsHalfWayResumesInsteadOfStartingOver()
    {
        var weights = Serve("onnx/vision_model.onnx", 3_000_000);
        _hub.CutAfter(Repository, "onnx/vision_model.onnx", 1_200_000);

        await Downloader().FetchAsync(Model(new ManifestFile("onnx/vision_model.onnx", Sha(weights))), _folder.Path, TestContext.Current.CancellationToken);

        var downloads = _hub.Requests.Where(r => r.Server == "cdn" && r.Method == "GET").ToList();
        Assert.Equal(2, downloads.Count);
        Assert.Null(downloads[0].Range);
        var resumedAt = long.Parse(downloads[1].Range!["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(resumedAt, 1, weights.Length - 1);
        Assert.True(weights.Length - resumedAt < weights.Length, "the second request asked for fewer bytes than the file holds");
        Assert.Equal(weights, await File.ReadAllBytesAsync(_folder.Sub("onnx/vision_model.onnx"), TestContext.Current.CancellationToken));
        Assert.Contains(_lines, l => l.StartsWith("↻ clip-vit-base-patch32/onnx/vision_model.onnx  resuming at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APartialFileLeftByAnEarlierRunIsContinued()
    {
        var weights = Serve("onnx/vision_model.onnx", 1_000_000);
        Directory.CreateDirectory(_folder.Sub("onnx"));
        await File.WriteAllBytesAsync(_folder.Sub("onnx/vision_model.onnx.partial"), weights[..400_000], TestContext.Current.CancellationToken);

        await Downloader().FetchAsync(Model(new ManifestFile("onnx/vision_model.onnx", Sha(weights))), _folder.Path, TestContext.Current.CancellationToken);

        var download = Assert.Single(_hub.Requests, r => r.Server == "cdn" && r.Method == "GET");
        Assert.Equal("bytes=400000-", download.Range);
        Assert.Equal(weights, await File.ReadAllBytesAsync(_folder.Sub("onnx/vision_model.onnx"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AGatedRepositoryAnswers401WithoutATokenAndServesWithOneWhichNeverReachesTheCdn()
    {
        const string gated = "test/gated-clip";
        _hub.AddRepository(gated, token: "hf_test_token");
        var weights = Serve("onnx/vision_model.onnx", 150_000, gated);
        var model = Model(gated, new ManifestFile("onnx/vision_model.onnx", Sha(weights)));

        var refused = await Assert.ThrowsAsync<HubAccessException>(() => Downloader().FetchAsync(model, _folder.Path, TestContext.Current.CancellationToken));
        await Downloader(token: "hf_test_token").FetchAsync(model, _folder.Path, TestContext.Current.CancellationToken);

        Assert.Equal("test/gated-clip is gated or private (401 without a token): set HF_TOKEN to a Hugging Face token that may read it.", refused.Message);
        Assert.Equal(weights, await File.ReadAllBytesAsync(_folder.Sub("onnx/vision_model.onnx"), TestContext.Current.CancellationToken));
        Assert.Contains(_hub.Requests, r => r.Server == "hub" && r.HadAuthorization);
        Assert.DoesNotContain(_hub.Requests, r => r.Server == "cdn" && r.HadAuthorization);
    }

    [Fact]
    public async Task TheFilesOfAModelDownloadSideBySide()
    {
        _hub.CdnDelay = TimeSpan.FromMilliseconds(300);
        var files = Enumerable.Range(0, 6).Select(i => new ManifestFile($"onnx/part{i}.onnx", Sha(Serve($"onnx/part{i}.onnx", 120_000 + i)))).ToArray();

        await Downloader().FetchAsync(Model(files), _folder.Path, TestContext.Current.CancellationToken);

        Assert.InRange(_hub.MaxConcurrentDownloads, 2, 4);
        Assert.All(files, f => Assert.True(File.Exists(_folder.Sub(f.Path))));
    }

    [Fact]
    public async Task NotEnoughFreeDiskSpaceStopsTheFetchBeforeAnyDownload()
    {
        Serve("onnx/vision_model.onnx", 500_000);
        var downloader = new ModelDownloader(Hub(), Report(), freeBytes: _ => 10_000_000);

        var error = await Assert.ThrowsAsync<NotEnoughDiskSpaceException>(() =>
            downloader.FetchAsync(Model(new ManifestFile("onnx/vision_model.onnx")), _folder.Path, TestContext.Current.CancellationToken));

        Assert.StartsWith($"clip-vit-base-patch32 needs 488.3 KB more in {_folder.Path}, but only 9.5 MB are free there", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_hub.Requests, r => r.Server == "cdn");
    }

    [Fact]
    public async Task ARequiredFileTheRevisionLacksIsNamed()
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            Downloader().FetchAsync(Model(new ManifestFile("tokenizer.json")), _folder.Path, TestContext.Current.CancellationToken));

        Assert.StartsWith("clip-vit-base-patch32: huggingface:Xenova/clip-vit-base-patch32@main has no tokenizer.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableEndpointFailsWithoutAStatusCode()
    {
        var closed = new Uri($"http://127.0.0.1:{TcpPorts.Free()}/");
        var downloader = new ModelDownloader(new HuggingFaceHub(_http, closed, token: null), Report());

        var error = await Assert.ThrowsAsync<HttpRequestException>(() =>
            downloader.FetchAsync(Model(new ManifestFile("config.json")), _folder.Path, TestContext.Current.CancellationToken));

        Assert.Null(error.StatusCode);
        Assert.False(Directory.Exists(_folder.Sub("onnx")));
    }

    [Fact]
    public async Task AGraphWithExternalDataBringsEveryFileItNamesAndTheLockSaysWhichImageTowersItQueries()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var served = new TempFolder();
        var model = ServeMClipStandIn(served);

        var modelLock = await Downloader().FetchAsync(model, _folder.Path, cancellationToken);

        var sidecars = OnnxExternalData.Locations(Path.Combine(served.Path, "textual", "model.onnx"));
        Assert.True(sidecars.Count >= 10, $"{sidecars.Count} external-data files");
        foreach (var sidecar in sidecars)
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(served.Path, "textual", sidecar), cancellationToken),
                await File.ReadAllBytesAsync(_folder.Sub("textual/" + sidecar), cancellationToken));
        }

        Assert.Equal(model.Files.Count + sidecars.Count, modelLock.Files.Count);
        Assert.Equal(["clip-vit-base-patch32"], ModelLock.TryRead(_folder.Path)!.Queries);
        Assert.Contains($"xlm-roberta-large-vit-b-32/textual/model.onnx: weights in {sidecars.Count} external-data files beside it", _lines);
        await ModelLock.TryRead(_folder.Path)!.VerifyAsync(_folder.Path, cancellationToken);

        using var fetched = new Pipeline.Inference.Embeddings.MClipTextEmbedder(
            new Pipeline.Inference.Embeddings.QueryEmbedderOptions { Path = _folder.Path }, Pipeline.Tests.Unit.Embeddings.StandInEmbedderFixture.CpuSessions());
        using var original = new Pipeline.Inference.Embeddings.MClipTextEmbedder(
            new Pipeline.Inference.Embeddings.QueryEmbedderOptions { Path = served.Path }, Pipeline.Tests.Unit.Embeddings.StandInEmbedderFixture.CpuSessions());
        Assert.Equal(
            (await original.EmbedAsync(["고슴도치 사진을 찾아 줘."], cancellationToken))[0],
            (await fetched.EmbedAsync(["고슴도치 사진을 찾아 줘."], cancellationToken))[0]);
        Assert.Equal(("xlm-roberta-large-vit-b-32", false), (fetched.Identity.ModelId, fetched.Identity.IsStandIn));
    }

    [Fact]
    public async Task AnExternalDataFileTheHubLacksIsNamed()
    {
        using var served = new TempFolder();
        var model = ServeMClipStandIn(served, without: "textual/LinearTransformation.weight");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Downloader().FetchAsync(model, _folder.Path, TestContext.Current.CancellationToken));

        Assert.StartsWith("xlm-roberta-large-vit-b-32: huggingface:immich-app/XLM-Roberta-Large-Vit-B-32@main has no textual/LinearTransformation.weight", error.Message, StringComparison.Ordinal);
        Assert.Null(ModelLock.TryRead(_folder.Path));
    }

    /// <summary>The M-CLIP stand-in served as immich-app/XLM-Roberta-Large-Vit-B-32, and the real manifest's entry for it.</summary>
    private ManifestModel ServeMClipStandIn(TempFolder served, string? without = null)
    {
        const string repository = "immich-app/XLM-Roberta-Large-Vit-B-32";
        Pipeline.StandInModels.MClip.MClipStandIn.Write(served.Path);
        if (without is not null)
        {
            File.Delete(served.Sub(without));
        }

        _hub.AddRepository(repository);
        _hub.ServeFolder(repository, served.Path);
        return ModelManifest.Load(ModelFolders.ManifestPath).Select(["xlm-roberta-large-vit-b-32"])[0];
    }

    private ModelDownloader Downloader(string? token = null) =>
        new(Hub(token), Report(), options: new DownloadOptions(RetryDelay: TimeSpan.FromMilliseconds(50)), freeBytes: _ => long.MaxValue);

    private HuggingFaceHub Hub(string? token = null) => new(_http, _hub.Endpoint, token);

    private LineDownloadReport Report() => new(line =>
    {
        lock (_lines)
        {
            _lines.Add(line);
        }
    });

    private static ManifestModel Model(params ManifestFile[] files) => Model(Repository, files);

    private static ManifestModel Model(string repository, params ManifestFile[] files) =>
        new("clip-vit-base-patch32", "image-text-embedder", "xenova/clip-vit-base-patch32", new ManifestSource(repository, "main"), files);

    private byte[] Serve(string path, string content, string repository = Repository)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        _hub.Serve(repository, path, bytes);
        return bytes;
    }

    private byte[] Serve(string path, int size, string repository = Repository)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        _hub.Serve(repository, path, bytes);
        return bytes;
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
