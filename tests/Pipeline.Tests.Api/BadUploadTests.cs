using System.Net;
using System.Text;
using Npgsql;
using Pipeline.Tests.Api.Infrastructure;

namespace Pipeline.Tests.Api;

/// <summary>
/// Uploads refused by the cheap checks get problem documents and leave nothing behind: no blob, no message, no row.
/// The run's queue has no worker at first, so every announcement stays countable there.
/// </summary>
public sealed class BadUploadTests(PipelineServices services)
{
    private const int MaxImageBytes = 64 * 1024;

    [Fact]
    public async Task EmptyTextOversizedAndMislabelledUploadsAreRefusedAndLeaveNothingBehind()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false, api: new Dictionary<string, string?>
        {
            ["Api:MaxImageBytes"] = MaxImageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Api:MaxRequestBytes"] = (4 * MaxImageBytes).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var client = run.ClientFor("erin");
        var text = Encoding.UTF8.GetBytes("These are my holiday notes, not a picture.\n");
        var pngHeaderThenTooMuch = Pictures.Photo(8)[..16].Concat(new byte[MaxImageBytes]).ToArray();

        await AssertRefused(client.PostRawAsync("/v1/images", [], "image/png", cancellationToken), HttpStatusCode.BadRequest, "empty-file");
        await AssertRefused(client.PostRawAsync("/v1/images", text, "text/plain", cancellationToken), HttpStatusCode.BadRequest, "unsupported-format", "a text file");
        await AssertRefused(client.PostRawAsync("/v1/images", text, "image/jpeg", cancellationToken), HttpStatusCode.BadRequest, "unsupported-format", "a text file");
        await AssertRefused(client.PostFormAsync("/v1/images", [("notes.png", text)], null, cancellationToken), HttpStatusCode.BadRequest, "unsupported-format", "notes.png");
        await AssertRefused(client.PostRawAsync("/v1/images", Encoding.ASCII.GetBytes("%PDF-1.7\n%âãÏÓ\n"), "application/pdf", cancellationToken), HttpStatusCode.BadRequest, "unsupported-format", "PDF");
        await AssertRefused(client.PostRawAsync("/v1/images", [0x00, 0x13, 0x37, 0xFE, 0x01, 0x02], "image/png", cancellationToken), HttpStatusCode.BadRequest, "unrecognized-format");
        await AssertRefused(client.PostRawAsync("/v1/images", pngHeaderThenTooMuch, "image/png", cancellationToken), HttpStatusCode.RequestEntityTooLarge, "too-many-bytes");
        await AssertRefused(client.PostFormAsync("/v1/images", [("big.png", pngHeaderThenTooMuch)], null, cancellationToken), HttpStatusCode.RequestEntityTooLarge, "too-many-bytes", "big.png");
        await AssertRefused(client.PostRawAsync("/v1/describe", new byte[5 * MaxImageBytes], "image/png", cancellationToken), HttpStatusCode.RequestEntityTooLarge, "too-many-bytes");
        await AssertRefused(client.PostRawAsync("/v1/images?id=../escape", Pictures.Photo(8), "image/png", cancellationToken), HttpStatusCode.BadRequest);
        await AssertRefused(client.PostFormAsync("/v1/describe/batch", [("a.png", Pictures.Photo(9)), ("notes.png", text)], null, cancellationToken), HttpStatusCode.BadRequest, "unsupported-format");

        Assert.Empty(await run.BlobNamesAsync(cancellationToken));
        Assert.Equal(0u, await BrokerQueues.MessageCountAsync(services.Endpoints.RabbitMq, run.QueueName));

        // A good upload after them is stored and announced: the checks above could see one.
        using var good = await client.PostRawAsync("/v1/images?id=good", Pictures.Photo(10), "image/png", cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
        Assert.Equal(["erin/good"], await run.BlobNamesAsync(cancellationToken));
        Assert.Equal(1u, await BrokerQueues.MessageCountAsync(services.Endpoints.RabbitMq, run.QueueName));

        await run.StartWorkerAsync(cancellationToken);
        Assert.Equal("described", (await client.WaitForResultAsync("/v1/images/good", cancellationToken)).Text("status"));
        Assert.Equal(["erin/good"], await RowIdsAsync(run.Database, cancellationToken));
    }

    [Fact]
    public async Task ADescribeThatOutlastsItsTimeoutIs504WithAStatusUrlThatLaterAnswers()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false);
        var client = run.ClientFor("erin");

        using var response = await client.PostRawAsync("/v1/describe?id=slow&timeoutSeconds=1", Pictures.Photo(11), "image/png", cancellationToken);

        var problem = await response.ProblemAsync(HttpStatusCode.GatewayTimeout, cancellationToken);
        Assert.Equal("/v1/images/slow", problem.Text("statusUrl"));
        using var pending = await client.GetAsync("/v1/images/slow", cancellationToken);
        Assert.Equal("pending", (await pending.JsonAsync(HttpStatusCode.Accepted, cancellationToken)).Text("status"));
        Assert.Equal("1", pending.Headers.RetryAfter?.ToString());
        using var othersView = await run.ClientFor("frank").GetAsync("/v1/images/slow", cancellationToken);
        await othersView.ProblemAsync(HttpStatusCode.NotFound, cancellationToken);
        using var othersContent = await run.ClientFor("frank").GetAsync("/v1/images/slow/content", cancellationToken);
        await othersContent.ProblemAsync(HttpStatusCode.NotFound, cancellationToken);

        await run.StartWorkerAsync(cancellationToken);
        Assert.Equal("described", (await client.WaitForResultAsync("/v1/images/slow", cancellationToken)).Text("status"));
    }

    private static async Task AssertRefused(Task<HttpResponseMessage> request, HttpStatusCode status, string? reason = null, string? detailMentions = null)
    {
        using var response = await request;
        var problem = await response.ProblemAsync(status, TestContext.Current.CancellationToken);
        if (reason is not null)
        {
            Assert.Equal(reason, problem.Text("reason"));
        }

        if (detailMentions is not null)
        {
            Assert.Contains(detailMentions, problem.Text("detail"));
        }
    }

    private static async Task<List<string>> RowIdsAsync(string database, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT id FROM images ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
