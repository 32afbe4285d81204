using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SkiaSharp;

namespace Pipeline.Testing;

/// <summary>
/// A chat-completions server on 127.0.0.1 that speaks the protocol the way OpenAI and Azure OpenAI do, for tests:
/// it checks every request field by field (a violation is answered 400 and recorded), looks at each image (its mean
/// colour names it), and answers one JSON entry per image, or, as scripted, 429 with Retry-After, a
/// <c>content_filter</c> finish for any request holding a red image, or a <c>length</c> finish with JSON cut off.
/// </summary>
public sealed class FakeChatCompletions : IAsyncDisposable
{
    private readonly ConcurrentQueue<int> _throttles = new();
    private LocalWebServer? _server;

    /// <summary>Every request received, in order of arrival.</summary>
    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>Protocol violations found in requests (should stay empty).</summary>
    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>Answer <c>finish_reason: length</c> with JSON cut off whenever a request holds more than one image.</summary>
    public bool TruncateMultiImageReplies { get; set; }

    /// <summary>Answer <c>length</c> even for single images.</summary>
    public bool TruncateEverything { get; set; }

    public Uri BaseUrl => new($"http://127.0.0.1:{(_server ?? throw new InvalidOperationException("The server has not started.")).Port}/");

    /// <summary>The next request is answered 429 with <c>Retry-After: <paramref name="seconds"/></c>.</summary>
    public void ThrottleNext(int seconds) => _throttles.Enqueue(seconds);

    public static async Task<FakeChatCompletions> StartAsync(CancellationToken cancellationToken)
    {
        var fake = new FakeChatCompletions();
        fake._server = await LocalWebServer.StartAsync(app =>
        {
            app.MapPost("/v1/chat/completions", (HttpContext context) => fake.AnswerAsync(context, deployment: null));
            app.MapPost("/openai/deployments/{deployment}/chat/completions", (HttpContext context, string deployment) => fake.AnswerAsync(context, deployment));
        }, cancellationToken);
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task AnswerAsync(HttpContext context, string? deployment)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body);
        var seen = new SeenRequest(
            Stopwatch.GetTimestamp(),
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.Authorization.ToString(),
            context.Request.Headers["api-key"].ToString(),
            body?.ToJsonString() ?? "",
            []);
        var problem = Check(body, seen.Colours, deployment is null);
        Requests.Enqueue(seen);
        if (problem is not null)
        {
            Violations.Enqueue(problem);
            await Error(context, 400, "invalid_request_error", problem);
            return;
        }

        if (_throttles.TryDequeue(out var seconds))
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Error(context, 429, "rate_limit_exceeded", "Rate limit reached for requests. Please try again later.");
            return;
        }

        var task = body!["messages"]![1]!["content"]![0]!["text"]!.GetValue<string>();
        var images = seen.Colours.Count;
        if (seen.Colours.Contains("red"))
        {
            await Reply(context, "content_filter", null, images);
            return;
        }

        var entries = new JsonArray(seen.Colours.Select((colour, i) => (JsonNode)new JsonObject
        {
            ["index"] = i,
            ["alt_text"] = $"A plain {colour} square.",
            ["answer"] = task.Contains("Set answer to null", StringComparison.Ordinal) ? null : $"{colour} answer",
        }).ToArray());
        var content = new JsonObject { ["images"] = entries }.ToJsonString();
        if (TruncateEverything || (TruncateMultiImageReplies && images > 1))
        {
            await Reply(context, "length", content[..(content.Length / 2)], images);
            return;
        }

        await Reply(context, "stop", content, images);
    }

    private static string? Check(JsonNode? body, List<string> colours, bool needsModel)
    {
        if (body is not JsonObject request)
        {
            return "the body is not a JSON object";
        }

        if (needsModel && request["model"]?.GetValueKind() != JsonValueKind.String)
        {
            return "model must be a string";
        }

        if (request["max_tokens"]?.GetValueKind() != JsonValueKind.Number || request["max_tokens"]!.GetValue<int>() <= 0)
        {
            return "max_tokens must be a positive integer (vision requests are cut short without it)";
        }

        if (request["temperature"] is { } temperature && (temperature.GetValueKind() != JsonValueKind.Number || temperature.GetValue<double>() is < 0 or > 2))
        {
            return "temperature must be a number from 0 to 2";
        }

        if (request["response_format"] is { } format
            && (format["type"]?.GetValue<string>() != "json_schema" || format["json_schema"]?["strict"]?.GetValue<bool>() != true
                || format["json_schema"]?["schema"]?["properties"]?["images"] is null))
        {
            return "response_format must be a strict json_schema with an images array";
        }

        if (request["messages"] is not JsonArray { Count: 2 } messages
            || messages[0]?["role"]?.GetValue<string>() != "system" || messages[0]?["content"]?.GetValueKind() != JsonValueKind.String
            || messages[1]?["role"]?.GetValue<string>() != "user" || messages[1]?["content"] is not JsonArray content)
        {
            return "messages must be a system message and a user message with content parts";
        }

        if (content.Count < 3 || content[0]?["type"]?.GetValue<string>() != "text" || (content.Count - 1) % 2 != 0)
        {
            return "the user content must be the instructions, then a label and an image per image";
        }

        for (var i = 1; i < content.Count; i += 2)
        {
            var image = content[i + 1];
            if (content[i]?["type"]?.GetValue<string>() != "text" || image?["type"]?.GetValue<string>() != "image_url")
            {
                return $"content part {i + 1} must be an image_url after a text label";
            }

            var url = image["image_url"]?["url"]?.GetValue<string>() ?? "";
            var detail = image["image_url"]?["detail"]?.GetValue<string>();
            if (detail is not (null or "low" or "high" or "auto"))
            {
                return $"detail '{detail}' is not low, high or auto";
            }

            const string prefix = "data:image/jpeg;base64,";
            if (!url.StartsWith(prefix, StringComparison.Ordinal))
            {
                return "images must be JPEG data URLs";
            }

            using var bitmap = SKBitmap.Decode(Convert.FromBase64String(url[prefix.Length..]));
            if (bitmap is null)
            {
                return $"image {colours.Count} is not a readable JPEG";
            }

            colours.Add(ColourName(bitmap));
        }

        return null;
    }

    private static string ColourName(SKBitmap bitmap)
    {
        double r = 0, g = 0, b = 0;
        foreach (var pixel in bitmap.Pixels)
        {
            (r, g, b) = (r + pixel.Red, g + pixel.Green, b + pixel.Blue);
        }

        var n = bitmap.Width * bitmap.Height;
        (r, g, b) = (r / n, g / n, b / n);
        return (r > 160, g > 160, b > 160) switch
        {
            (true, false, false) => "red",
            (false, true, false) => "green",
            (false, false, true) => "blue",
            (true, true, false) => "yellow",
            (true, true, true) => "white",
            (false, false, false) => "black",
            _ => "mixed",
        };
    }

    private static Task Reply(HttpContext context, string finishReason, string? content, int images) =>
        context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N"),
            ["object"] = "chat.completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = "fake-vision",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content, ["refusal"] = null },
                ["finish_reason"] = finishReason,
            }),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = 100 + (85 * images),
                ["completion_tokens"] = 12 * images,
                ["total_tokens"] = 100 + (97 * images),
            },
        });

    private static Task Error(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = code, ["param"] = null, ["code"] = code },
        });
    }

    /// <param name="Colours">The colour of each image in the request, in order.</param>
    public sealed record SeenRequest(long Timestamp, string PathAndQuery, string Authorization, string ApiKey, string Body, List<string> Colours);
}
