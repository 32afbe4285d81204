using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Pipeline.Contracts;
using Pipeline.Storage.Entities;
using Pipeline.Testing;
using Pipeline.Tests.Integration.Infrastructure;
using SkiaSharp;

namespace Pipeline.Tests.Integration;

/// <summary>
/// <c>url</c> sources through the real worker: a picture served by a local HTTP server is described when the
/// configuration allows that server, and refused by the SSRF guard, alone in its batch, when it does not.
/// </summary>
public sealed class UrlSourceTests(PipelineServices services) : IAsyncLifetime
{
    private static readonly byte[] Cat = TestImages.Encode(320, 240, SKColors.Orange, SKColors.DarkBlue, SKEncodedImageFormat.Png);
    private readonly ConcurrentQueue<string> _requests = new();
    private LocalWebServer? _server;

    private LocalWebServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async ValueTask InitializeAsync() =>
        _server = await LocalWebServer.StartAsync(
            app =>
            {
                app.Use((context, next) =>
                {
                    _requests.Enqueue(context.Request.Path.Value ?? "");
                    return next(context);
                });
                app.MapGet("/photos/cat.png", context =>
                {
                    context.Response.ContentType = "image/png";
                    return context.Response.Body.WriteAsync(Cat, context.RequestAborted).AsTask();
                });
                app.MapGet("/photos/login.html", context =>
                {
                    context.Response.ContentType = "text/html; charset=utf-8";
                    return context.Response.WriteAsync("<html><body>Please sign in</body></html>", context.RequestAborted);
                });
            },
            TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task AnImageFromAnAllowedServerIsDescribedAndItsBadNeighboursFailWithTheirOwnReasons()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var database = await services.CreateDatabaseAsync(cancellationToken);
        await using var worker = await WorkerUnderTest.StartAsync(services, database, 5, cancellationToken, new Dictionary<string, string?>
        {
            ["Sources:Url:AllowHttp"] = "true",
            ["Sources:Url:AllowedNetworks:0"] = "127.0.0.0/8",
        });
        await using var results = await ResultCollector.StartAsync(services.Endpoints.RabbitMq, cancellationToken);

        var run = Guid.NewGuid().ToString("N")[..8];
        ImageUploaded[] messages =
        [
            new($"{run}-cat", "owner-u", ImageSource.Url(Server.Url("127.0.0.1", "/photos/cat.png")), Convert.ToHexStringLower(SHA256.HashData(Cat))),
            new($"{run}-missing", "owner-u", ImageSource.Url(Server.Url("127.0.0.1", "/photos/missing.png"))),
            new($"{run}-login", "owner-u", ImageSource.Url(Server.Url("127.0.0.1", "/photos/login.html"))),
        ];
        await results.SendAsync(worker.QueueName, messages, cancellationToken);
        await results.WaitForAsync(messages.Select(m => m.ImageId).ToList(), 1, TimeSpan.FromSeconds(60), cancellationToken);

        var rows = (await StoredRows.ReadAsync(database, cancellationToken)).ToDictionary(r => r.Id);
        var cat = rows[$"{run}-cat"];
        Assert.Equal(ImageStatus.Described, cat.Status);
        Assert.Equal(512, cat.EmbeddingDimensions);
        var described = Assert.Single(results.Described);
        Assert.Equal(($"{run}-cat", 320, 240), (described.ImageId, described.Width, described.Height));
        Assert.Equal(FailureReasons.UrlNotFound, rows[$"{run}-missing"].FailureReason);
        Assert.Equal(FailureReasons.UnsupportedContentType, rows[$"{run}-login"].FailureReason);
        Assert.Contains("text/html", rows[$"{run}-login"].FailureMessage, StringComparison.Ordinal);
        Assert.Equal(
            [FailureReasons.UnsupportedContentType, FailureReasons.UrlNotFound],
            results.Failed.Select(f => f.Reason).Order(StringComparer.Ordinal));
        Assert.Equal("url", await SourceTypeAsync(database, $"{run}-cat", cancellationToken));
    }

    [Fact]
    public async Task WithTheDefaultSettingsLoopbackUrlsAreRefusedWhileTheirNeighbourIsDescribed()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var database = await services.CreateDatabaseAsync(cancellationToken);
        await using var worker = await WorkerUnderTest.StartAsync(services, database, 5, cancellationToken);
        await using var results = await ResultCollector.StartAsync(services.Endpoints.RabbitMq, cancellationToken);

        var run = Guid.NewGuid().ToString("N")[..8];
        var port = Server.Port;
        ImageUploaded[] messages =
        [
            new($"{run}-inline", "owner-v", ImageSource.Inline(Cat)),
            new($"{run}-loopback", "owner-v", ImageSource.Url(new Uri($"https://127.0.0.1:{port}/photos/cat.png"))),
            new($"{run}-mapped", "owner-v", ImageSource.Url(new Uri($"https://[::ffff:127.0.0.1]:{port}/photos/cat.png"))),
            new($"{run}-http", "owner-v", ImageSource.Url(new Uri($"http://127.0.0.1:{port}/photos/cat.png"))),
            new($"{run}-credentials", "owner-v", ImageSource.Url(new Uri($"https://alice:s3cret@127.0.0.1:{port}/photos/cat.png"))),
        ];
        await results.SendAsync(worker.QueueName, messages, cancellationToken);
        await results.WaitForAsync(messages.Select(m => m.ImageId).ToList(), 1, TimeSpan.FromSeconds(60), cancellationToken);

        var rows = (await StoredRows.ReadAsync(database, cancellationToken)).ToDictionary(r => r.Id);
        Assert.Equal(ImageStatus.Described, rows[$"{run}-inline"].Status);
        Assert.Equal($"{run}-inline", Assert.Single(results.Described).ImageId);
        Assert.Equal(4, results.Failed.Count);
        Assert.All(results.Failed, failed => Assert.Equal(FailureReasons.UrlNotAllowed, failed.Reason));
        Assert.Equal(
            $"'https://127.0.0.1:{port}/photos/cat.png' is 127.0.0.1, a loopback address (this machine); URL sources reach only public " +
            "internet addresses (allow a network with Sources:Url:AllowedNetworks).",
            rows[$"{run}-loopback"].FailureMessage);
        Assert.Contains("is ::ffff:127.0.0.1, a loopback address", rows[$"{run}-mapped"].FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Sources:Url:AllowHttp", rows[$"{run}-http"].FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", rows[$"{run}-credentials"].FailureMessage, StringComparison.Ordinal);
        Assert.Equal($"https://127.0.0.1:{port}/photos/cat.png", await SourceUriAsync(database, $"{run}-credentials", cancellationToken));
        Assert.Empty(_requests);
    }

    private static Task<string?> SourceTypeAsync(string database, string id, CancellationToken cancellationToken) =>
        ColumnAsync(database, "source_type", id, cancellationToken);

    private static Task<string?> SourceUriAsync(string database, string id, CancellationToken cancellationToken) =>
        ColumnAsync(database, "source_uri", id, cancellationToken);

    private static async Task<string?> ColumnAsync(string database, string column, string id, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {column} FROM images WHERE id = $1", connection) { Parameters = { new() { Value = id } } };
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }
}
