using System.Net;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Cli.Models;
using Pipeline.Inference.Runtime;

namespace Pipeline.Tests.Unit.Models;

/// <summary>
/// <c>pipeline models fetch</c> against a local HTTP server that answers Hugging Face's
/// <c>/{repo}/resolve/{revision}/{path}</c> URLs: pinned hashes are enforced, the rest locked on first fetch.
/// </summary>
public sealed class ModelDownloaderTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly HttpListener _server = new();
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly Uri _endpoint;

    public ModelDownloaderTests()
    {
        var port = FreePort();
        _endpoint = new Uri($"http://127.0.0.1:{port}/");
        _server.Prefixes.Add(_endpoint.ToString());
        _server.Start();
        _ = ServeAsync();
    }

    [Fact]
    public async Task FetchDownloadsChecksPinsAndLocksTheRest()
    {
        var weights = Serve("onnx/vision_model.onnx", "real weights");
        Serve("config.json", "{\"model_type\":\"clip\"}");
        var model = Model(new ManifestFile("onnx/vision_model.onnx", Sha(weights)), new ManifestFile("config.json"), new ManifestFile("vocab.json", Optional: true));

        var modelLock = await Downloader().FetchAsync(model, _folder.Path, TestContext.Current.CancellationToken);

        Assert.Equal(weights, await File.ReadAllBytesAsync(_folder.Sub("onnx/vision_model.onnx"), TestContext.Current.CancellationToken));
        Assert.Equal(["onnx/vision_model.onnx", "config.json"], modelLock.Files.Select(f => f.Path));
        Assert.False(File.Exists(_folder.Sub("vocab.json")));
        await ModelLock.TryRead(_folder.Path)!.VerifyAsync(_folder.Path, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task FileThatDoesNotMatchItsPinIsDeletedAndReported()
    {
        Serve("onnx/vision_model.onnx", "tampered weights");
        var model = Model(new ManifestFile("onnx/vision_model.onnx", Sha(Encoding.UTF8.GetBytes("real weights"))));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Downloader().FetchAsync(model, _folder.Path, TestContext.Current.CancellationToken));

        Assert.Contains("onnx/vision_model.onnx", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.Sub("onnx/vision_model.onnx")));
        Assert.Null(ModelLock.TryRead(_folder.Path));
    }

    [Fact]
    public async Task UnreachableEndpointFailsWithoutAStatusCode()
    {
        var model = Model(new ManifestFile("config.json"));
        using var http = new HttpClient();
        var downloader = new ModelDownloader(http, new Uri($"http://127.0.0.1:{FreePort()}/"), _ => { });

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => downloader.FetchAsync(model, _folder.Path, TestContext.Current.CancellationToken));

        Assert.Null(error.StatusCode);
        Assert.False(Directory.Exists(_folder.Sub("onnx")));
    }

    public void Dispose()
    {
        _server.Close();
        _folder.Dispose();
    }

    private static ManifestModel Model(params ManifestFile[] files) =>
        new("clip-test", "image-text-embedder", "xenova/clip-vit-base-patch32", new ManifestSource("test/clip", "main"), files);

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private ModelDownloader Downloader() => new(new HttpClient(), _endpoint, _ => { });

    private byte[] Serve(string path, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        _files[$"/test/clip/resolve/main/{path}"] = bytes;
        return bytes;
    }

    private async Task ServeAsync()
    {
        while (_server.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _server.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            if (_files.TryGetValue(context.Request.Url!.AbsolutePath, out var body))
            {
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
            }
            else
            {
                context.Response.StatusCode = 404;
            }

            context.Response.Close();
        }
    }
}
