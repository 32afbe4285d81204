using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Inference.Captioning.Chat;
using SkiaSharp;

namespace Pipeline.Tests.Unit.Captioning.Chat;

/// <summary>The OpenAI-compatible captioner against a local server speaking chat completions (no call leaves the machine).</summary>
public sealed class ChatCaptionerTests : IAsyncLifetime
{
    private static readonly SKColor[] Colours = [SKColors.Lime, SKColors.Blue, SKColors.Yellow, SKColors.White, SKColors.Black];
    private static readonly string[] Names = ["green", "blue", "yellow", "white", "black"];

    private FakeChatCompletions _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeChatCompletions.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SevenImagesGoAsTwoRequestsOfFiveAndTwoAndEachAnswerReachesItsOwnImage()
    {
        using var captioner = Captioner(o => o.MaxImagesPerRequest = 5);
        var images = Enumerable.Range(0, 7).Select(i => Image(Colours[i % Colours.Length])).ToList();

        var outcomes = await captioner.DescribeAsync(images, TestContext.Current.CancellationToken);

        Assert.Empty(_server.Violations);
        // The two requests go out side by side, so they may arrive in either order.
        Assert.Equal([2, 5], _server.Requests.Select(r => r.Colours.Count).Order());
        for (var i = 0; i < images.Count; i++)
        {
            Assert.Equal($"A plain {Names[i % Names.Length]} square.", outcomes[i].Description?.AltText);
            Assert.Null(outcomes[i].Description!.Answer);
        }

        // Each request's tokens (100 + 85 per image in, 12 per image out) are shared among its images, none lost.
        Assert.Equal(100 + (85 * 5) + 100 + (85 * 2), outcomes.Sum(o => o.Description!.Usage.InputTokens));
        Assert.Equal(12 * 7, outcomes.Sum(o => o.Description!.Usage.OutputTokens));
        Assert.Equal((100 + (85 * 2)) / 2, outcomes[6].Description!.Usage.InputTokens);
        var request = JsonNode.Parse(_server.Requests.Single(r => r.Colours.Count == 5).Body)!;
        Assert.Equal("gpt-4o-mini", request["model"]!.GetValue<string>());
        Assert.Equal(5 * 300, request["max_tokens"]!.GetValue<int>());
        Assert.Equal("low", request["messages"]![1]!["content"]![2]!["image_url"]!["detail"]!.GetValue<string>());
        Assert.Equal(42, request["seed"]!.GetValue<int>());
        Assert.Equal("Bearer test-key", _server.Requests.First().Authorization);
    }

    [Fact]
    public async Task AThrottledRequestIsSentAgainAfterRetryAfter()
    {
        using var captioner = Captioner();
        // Longer than the backoff it would use without the header (0.8 to 1.2 s before a first retry).
        _server.ThrottleNext(seconds: 2);

        var outcomes = await captioner.DescribeAsync([Image(SKColors.Blue), Image(SKColors.Lime)], TestContext.Current.CancellationToken);

        Assert.Equal(["A plain blue square.", "A plain green square."], outcomes.Select(o => o.Description?.AltText));
        var requests = _server.Requests.ToList();
        Assert.Equal(2, requests.Count);
        var waited = Stopwatch.GetElapsedTime(requests[0].Timestamp, requests[1].Timestamp);
        Assert.True(waited >= TimeSpan.FromSeconds(1.95), $"retried after {waited.TotalSeconds:F2} s; Retry-After said 2 s");
    }

    [Fact]
    public async Task ThrottlingPastTheRetriesStopsTheBatchAsTheProvidersProblemAfterEachTry()
    {
        using var captioner = Captioner(o => o.MaxRetries = 2);
        for (var i = 0; i < 3; i++)
        {
            _server.ThrottleNext(seconds: 0);
        }

        var failure = await Assert.ThrowsAsync<CaptioningUnavailableException>(
            () => captioner.DescribeAsync([Image(SKColors.Blue), Image(SKColors.Lime)], TestContext.Current.CancellationToken));

        Assert.Equal(
            "The captioning endpoint failed a request of 2 images 3 times; last: HTTP 429 rate_limit_exceeded: Rate limit reached for requests. Please try again later.",
            failure.Message);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task AContentFilterFinishFailsOnlyTheImageItWasAbout()
    {
        using var captioner = Captioner();
        var outcomes = await captioner.DescribeAsync(
            [Image(SKColors.Blue), Image(SKColors.Red), Image(SKColors.Yellow)], TestContext.Current.CancellationToken);

        Assert.Equal("A plain blue square.", outcomes[0].Description?.AltText);
        Assert.Equal(FailureReasons.ContentFiltered, outcomes[1].Rejection?.Reason);
        Assert.Contains("content filter", outcomes[1].Rejection!.Message, StringComparison.Ordinal);
        Assert.Equal("A plain yellow square.", outcomes[2].Description?.AltText);
        // The whole request once, then each image alone.
        Assert.Equal([3, 1, 1, 1], _server.Requests.Select(r => r.Colours.Count));
    }

    [Fact]
    public async Task ARequestCutShortIsAskedAgainImageByImageAndAnImageCutShortAloneFailsAsTruncated()
    {
        using var captioner = Captioner();
        _server.TruncateMultiImageReplies = true;
        var outcomes = await captioner.DescribeAsync([Image(SKColors.Blue), Image(SKColors.Lime)], TestContext.Current.CancellationToken);
        Assert.Equal(["A plain blue square.", "A plain green square."], outcomes.Select(o => o.Description?.AltText));
        Assert.Equal([2, 1, 1], _server.Requests.Select(r => r.Colours.Count));

        _server.TruncateEverything = true;
        var alone = await captioner.DescribeAsync([Image(SKColors.White)], TestContext.Current.CancellationToken);
        Assert.Equal(FailureReasons.CaptionTruncated, alone[0].Rejection?.Reason);
        Assert.Contains("MaxTokensPerImage", alone[0].Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TasksGoInSeparateRequestsWithTheirOwnInstructionsAndSchema()
    {
        using var captioner = Captioner();
        var classify = new CaptionTask(CaptionTaskKinds.Classify, Labels: ["blue answer", "green answer"]);
        var question = new CaptionTask(CaptionTaskKinds.Question, "What colour is it?");

        var outcomes = await captioner.DescribeAsync(
            [Image(SKColors.Blue, classify), Image(SKColors.Lime, question), Image(SKColors.Lime, classify)], TestContext.Current.CancellationToken);

        Assert.Equal(["blue answer", "green answer", "green answer"], outcomes.Select(o => o.Description?.Answer));
        var bodies = _server.Requests.Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(2, bodies.Count);
        var classifying = Assert.Single(bodies, b => b["messages"]![1]!["content"]![0]!["text"]!.GetValue<string>().Contains("label", StringComparison.Ordinal));
        Assert.Equal(
            ["blue answer", "green answer"],
            classifying["response_format"]!["json_schema"]!["schema"]!["properties"]!["images"]!["items"]!["properties"]!["answer"]!["enum"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Contains(bodies, b => b["messages"]![1]!["content"]![0]!["text"]!.GetValue<string>().Contains("What colour is it?", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAzureDeploymentIsCalledAtItsUrlWithTheApiVersionAndAnApiKeyHeader()
    {
        using var captioner = Captioner(o =>
        {
            o.Endpoint = _server.BaseUrl;
            o.Model = null;
            o.AzureDeployment = "vision-prod";
            o.AzureApiVersion = "2024-02-15-preview";
        });

        var outcomes = await captioner.DescribeAsync([Image(SKColors.Blue)], TestContext.Current.CancellationToken);

        Assert.Equal("A plain blue square.", outcomes[0].Description?.AltText);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("/openai/deployments/vision-prod/chat/completions?api-version=2024-02-15-preview", request.PathAndQuery);
        Assert.Equal("test-key", request.ApiKey);
        Assert.Equal("", request.Authorization);
        Assert.Equal("openai:vision-prod", captioner.Identity.ModelId);
    }

    [Fact]
    public async Task ARejectedKeyIsTheDeploymentsProblemNotTheImages()
    {
        using var captioner = Captioner(o => o.Endpoint = new Uri(_server.BaseUrl, "no-such-path/v1"));

        var failure = await Assert.ThrowsAsync<CaptioningUnavailableException>(
            () => captioner.DescribeAsync([Image(SKColors.Blue)], TestContext.Current.CancellationToken));

        Assert.Contains("HTTP 404", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Captioning:OpenAI", failure.Message, StringComparison.Ordinal);
    }

    private ChatCaptioner Captioner(Action<ChatCaptionerOptions>? configure = null)
    {
        var options = new ChatCaptionerOptions
        {
            Endpoint = new Uri(_server.BaseUrl, "v1"),
            ApiKey = "test-key",
            Model = "gpt-4o-mini",
            MaxRetryDelaySeconds = 5,
        };
        configure?.Invoke(options);
        return new ChatCaptioner(Options.Create(options), TimeProvider.System, NullLogger<ChatCaptioner>.Instance);
    }

    private static ChatImage Image(SKColor colour, CaptionTask? task = null)
    {
        using var bitmap = new SKBitmap(64, 48);
        bitmap.Erase(colour);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return new ChatImage("image-" + colour, data.ToArray(), task);
    }
}
