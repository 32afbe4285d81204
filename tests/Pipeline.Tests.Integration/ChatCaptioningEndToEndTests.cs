using Npgsql;
using Pipeline.Contracts;
using Pipeline.Storage.Entities;
using Pipeline.Testing;
using Pipeline.Tests.Integration.Infrastructure;
using SkiaSharp;

namespace Pipeline.Tests.Integration;

/// <summary>
/// The worker with <c>Captioning:Backend OpenAI</c> against a local chat-completions server: alt-texts, answers and
/// token counts land in Postgres and in the events, one request per consumed batch.
/// </summary>
public sealed class ChatCaptioningEndToEndTests(PipelineServices services) : IAsyncLifetime
{
    private FakeChatCompletions _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeChatCompletions.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SevenImagesAreDescribedInTwoRequestsOfFiveAndTwo()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await StartAsync(cancellationToken);
        SKColor[] colours = [SKColors.Blue, SKColors.Lime, SKColors.Yellow, SKColors.Blue, SKColors.Lime, SKColors.Yellow, SKColors.Blue];
        var messages = colours.Select((c, i) => Message($"chat-{i}", c)).ToList();

        await run.Results.SendAsync(run.Worker.QueueName, messages, cancellationToken);
        await run.Results.WaitForAsync(messages.Select(m => m.ImageId).ToList(), 1, TimeSpan.FromSeconds(60), cancellationToken);

        Assert.Empty(_server.Violations);
        Assert.Equal([2, 5], _server.Requests.Select(r => r.Colours.Count).Order());
        var rows = await ReadAsync(run.Database, cancellationToken);
        string[] names = ["blue", "green", "yellow", "blue", "green", "yellow", "blue"];
        for (var i = 0; i < messages.Count; i++)
        {
            var row = rows[$"chat-{i}"];
            Assert.Equal(ImageStatus.Described, row.Status);
            Assert.Equal($"A plain {names[i]} square.", row.Caption);
            Assert.Equal("openai:gpt-4o-mini", row.CaptionModelId);
            Assert.True(row.InputTokens > 0 && row.OutputTokens > 0, $"chat-{i} has no token counts");
        }

        // Every token the provider billed is on some image.
        Assert.Equal((100 * 2) + (85 * 7), rows.Values.Sum(r => r.InputTokens));
        Assert.All(run.Results.Described, d => Assert.Equal(rows[d.ImageId].Caption, d.Caption));
        Assert.All(run.Results.Described, d => Assert.Equal(512, rows[d.ImageId].EmbeddingDimensions));
    }

    [Fact]
    public async Task AFilteredImageFailsAloneAThrottledRequestIsRetriedAndTasksAreAnswered()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await StartAsync(cancellationToken);
        _server.ThrottleNext(seconds: 1);
        List<ImageUploaded> messages =
        [
            Message("plain-blue", SKColors.Blue),
            Message("filtered-red", SKColors.Red),
            Message("asked-green", SKColors.Lime, new CaptionTask(CaptionTaskKinds.Question, "What colour is the square?")),
            Message("unknown-task", SKColors.Yellow, new CaptionTask("poem")),
        ];

        await run.Results.SendAsync(run.Worker.QueueName, messages, cancellationToken);
        await run.Results.WaitForAsync(messages.Select(m => m.ImageId).ToList(), 1, TimeSpan.FromSeconds(60), cancellationToken);

        var rows = await ReadAsync(run.Database, cancellationToken);
        Assert.Equal((ImageStatus.Described, "A plain blue square."), (rows["plain-blue"].Status, rows["plain-blue"].Caption));
        Assert.Equal((ImageStatus.Failed, FailureReasons.ContentFiltered), (rows["filtered-red"].Status, rows["filtered-red"].FailureReason));
        Assert.Null(rows["filtered-red"].Caption);
        Assert.Equal(
            (ImageStatus.Described, "A plain green square.", CaptionTaskKinds.Question, "green answer"),
            (rows["asked-green"].Status, rows["asked-green"].Caption, rows["asked-green"].Task, rows["asked-green"].Answer));
        Assert.Equal((ImageStatus.Failed, FailureReasons.UnsupportedTask), (rows["unknown-task"].Status, rows["unknown-task"].FailureReason));
        // The answer's words are searchable like the caption's: "answer" is only in the answer.
        Assert.Equal(["asked-green"], await StoredRows.MatchingWordsAsync(run.Database, "green answer", cancellationToken));
        Assert.Contains("'poem'", rows["unknown-task"].FailureMessage, StringComparison.Ordinal);

        var failed = run.Results.Failed.Single(f => f.ImageId == "filtered-red");
        Assert.Contains("content filter", failed.Message, StringComparison.Ordinal);
        Assert.Equal("green answer", run.Results.Described.Single(d => d.ImageId == "asked-green").Answer);
        Assert.Empty(_server.Violations);
        var requests = _server.Requests.ToList();
        // Whichever request came first was turned away with 429 and sent again as it was.
        Assert.True(requests.Count(r => r.Body == requests[0].Body) >= 2, "the throttled request was not sent again");
        // The captions' request held the blue and the red image; after its content_filter finish each was asked alone.
        Assert.Contains(requests, r => r.Colours.Order().SequenceEqual(["blue", "red"]));
        Assert.Contains(requests, r => r.Colours.SequenceEqual(["red"]));
        Assert.Contains(requests, r => r.Colours.SequenceEqual(["blue"]));
    }

    private Task<PipelineRun> StartAsync(CancellationToken cancellationToken) =>
        PipelineRun.StartAsync(services, 5, cancellationToken, new Dictionary<string, string?>
        {
            ["Batching:TimeLimitMs"] = "1000",
            ["Captioning:Backend"] = "OpenAI",
            ["Captioning:OpenAI:Endpoint"] = new Uri(_server.BaseUrl, "v1").ToString(),
            ["Captioning:OpenAI:ApiKey"] = "test-key",
            ["Captioning:OpenAI:Model"] = "gpt-4o-mini",
            ["Captioning:OpenAI:MaxRetryDelaySeconds"] = "5",
        });

    private static ImageUploaded Message(string id, SKColor colour, CaptionTask? task = null) =>
        new(id, "chat-owner", ImageSource.Inline(TestImages.Encode(64, 48, colour, colour, SKEncodedImageFormat.Png)), Task: task);

    private sealed record Row(
        string Status, string? FailureReason, string? FailureMessage, string? Caption, string? CaptionModelId,
        string? Task, string? Answer, int InputTokens, int OutputTokens, int? EmbeddingDimensions);

    private static async Task<Dictionary<string, Row>> ReadAsync(string connectionString, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT i.id, i.status, i.failure_reason, i.failure_message, i.caption, i.caption_model_id, i.caption_task, i.answer,
                   coalesce(i.caption_input_tokens, 0), coalesce(i.caption_output_tokens, 0), vector_dims(e.embedding)
            FROM images i LEFT JOIN image_embeddings e ON e.image_id = i.id
            """;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new Dictionary<string, Row>();
        while (await reader.ReadAsync(cancellationToken))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            rows[reader.GetString(0)] = new Row(
                reader.GetString(1), Text(2), Text(3), Text(4), Text(5), Text(6), Text(7),
                reader.GetInt32(8), reader.GetInt32(9), reader.IsDBNull(10) ? null : reader.GetInt32(10));
        }

        return rows;
    }
}
