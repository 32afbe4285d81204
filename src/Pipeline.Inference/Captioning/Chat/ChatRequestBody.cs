using System.Globalization;
using System.Text.Json.Nodes;
using Pipeline.Contracts;

namespace Pipeline.Inference.Captioning.Chat;

/// <summary>
/// The chat-completions request for one group of images, written field by field rather than through the SDK's
/// model types: <c>max_tokens</c> (which Azure's older api-versions, llama.cpp and older vLLM need, where the SDK
/// writes <c>max_completion_tokens</c>), per-image <c>detail</c>, and a <c>response_format</c> chosen by configuration.
/// </summary>
internal static class ChatRequestBody
{
    public static BinaryData Create(ChatCaptionerOptions options, CaptionTask? task, IReadOnlyList<ChatImage> images)
    {
        var content = new JsonArray
        {
            new JsonObject { ["type"] = "text", ["text"] = ChatTaskPrompt.Instructions(task, images.Count) },
        };
        for (var i = 0; i < images.Count; i++)
        {
            content.Add(new JsonObject { ["type"] = "text", ["text"] = string.Create(CultureInfo.InvariantCulture, $"Image {i}:") });
            content.Add(new JsonObject
            {
                ["type"] = "image_url",
                ["image_url"] = new JsonObject
                {
                    ["url"] = "data:image/jpeg;base64," + Convert.ToBase64String(images[i].Jpeg.Span),
                    ["detail"] = options.Detail,
                },
            });
        }

        var body = new JsonObject
        {
            ["model"] = options.AzureDeployment ?? options.Model,
            ["messages"] = new JsonArray
            {
                new JsonObject { ["role"] = "system", ["content"] = ChatTaskPrompt.System(options.Language) },
                new JsonObject { ["role"] = "user", ["content"] = content },
            },
            ["max_tokens"] = options.MaxTokensPerImage * images.Count,
            ["temperature"] = options.Temperature,
            ["n"] = 1,
        };
        if (options.Seed is { } seed)
        {
            body["seed"] = seed;
        }

        switch (options.AnswerFormat)
        {
            case ChatAnswerFormat.JsonSchema:
                body["response_format"] = new JsonObject
                {
                    ["type"] = "json_schema",
                    ["json_schema"] = new JsonObject
                    {
                        ["name"] = "image_descriptions",
                        ["strict"] = true,
                        ["schema"] = ChatTaskPrompt.Schema(task),
                    },
                };
                break;
            case ChatAnswerFormat.JsonObject:
                body["response_format"] = new JsonObject { ["type"] = "json_object" };
                break;
            case ChatAnswerFormat.None:
                break;
        }

        return BinaryData.FromString(body.ToJsonString());
    }
}
