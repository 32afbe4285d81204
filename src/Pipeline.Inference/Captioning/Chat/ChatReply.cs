using System.Text.Json;
using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Captioning.Chat;

/// <summary>What one chat-completions response says: how it finished, its text or refusal, and the tokens billed.</summary>
internal sealed record ChatReply(string? FinishReason, string? Content, string? Refusal, TokenUsage Usage)
{
    public static ChatReply Parse(BinaryData body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var usage = root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object
            ? new TokenUsage(Int(u, "prompt_tokens"), Int(u, "completion_tokens"))
            : new TokenUsage(0, 0);
        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
        {
            throw new JsonException("The response has no choices.");
        }

        var choice = choices[0];
        var message = choice.TryGetProperty("message", out var m) ? m : default;
        return new ChatReply(
            StringProperty(choice, "finish_reason"),
            message.ValueKind == JsonValueKind.Object ? StringProperty(message, "content") : null,
            message.ValueKind == JsonValueKind.Object ? StringProperty(message, "refusal") : null,
            usage);
    }

    /// <summary>
    /// The answers by image index. Tolerates a Markdown code fence around the JSON (models asked without a response
    /// format often add one); entries with an index out of range are ignored and only the first of a repeated index counts, so the image stays unanswered.
    /// </summary>
    public IReadOnlyDictionary<int, (string AltText, string? Answer)> Answers(int images)
    {
        var answers = new Dictionary<int, (string, string?)>();
        if (Content is null)
        {
            return answers;
        }

        var json = Content.Trim();
        if (json.StartsWith("```", StringComparison.Ordinal))
        {
            var firstLine = json.IndexOf('\n', StringComparison.Ordinal);
            var lastFence = json.LastIndexOf("```", StringComparison.Ordinal);
            json = firstLine > 0 && lastFence > firstLine ? json[(firstLine + 1)..lastFence] : json;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("images", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return answers;
            }

            foreach (var entry in list.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object
                    && entry.TryGetProperty("index", out var index) && index.TryGetInt32(out var i) && i >= 0 && i < images
                    && StringProperty(entry, "alt_text") is { Length: > 0 } altText)
                {
                    answers.TryAdd(i, (altText.Trim(), StringProperty(entry, "answer")?.Trim()));
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (or cut off): every image of the request is unanswered.
        }

        return answers;
    }

    /// <summary>A string property of a response object, or null where it is missing or not a string.</summary>
    internal static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt32(out var number) ? number : 0;
}
