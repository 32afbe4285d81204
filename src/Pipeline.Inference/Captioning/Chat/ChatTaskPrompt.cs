using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Contracts;

namespace Pipeline.Inference.Captioning.Chat;

/// <summary>
/// The instructions and answer schema for one request. Every image gets an alt-text whatever the task, because that
/// is what the product promises; the task adds an <c>answer</c>. A request holds images of one task only.
/// </summary>
internal static class ChatTaskPrompt
{
    /// <summary>The tasks a chat model answers besides the caption; boxes (objects, regions) are Florence-2's.</summary>
    public static IReadOnlyList<string> Kinds { get; } =
        [CaptionTaskKinds.DetailedCaption, CaptionTaskKinds.Ocr, CaptionTaskKinds.Classify, CaptionTaskKinds.Question];

    public static string System(string language) => string.Create(CultureInfo.InvariantCulture, $$"""
        You write alt-texts: one or two plain sentences that tell a person who cannot see the picture what it shows, without "image of" or "picture of".
        Write in {{language}}. Describe only what is visible. You receive numbered images; treat each on its own.
        Reply with JSON only: {"images": [{"index": <the image's number>, "alt_text": "<alt-text>", "answer": <as asked, or null>}]}, one entry per image, in order.
        """);

    /// <summary>What the <c>answer</c> field must hold for <paramref name="task"/>, or null when only alt-texts are wanted.</summary>
    public static string Instructions(CaptionTask? task, int images)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"Describe the {images} image(s) below, numbered from 0. "));
        text.Append((task?.Kind ?? CaptionTaskKinds.Caption) switch
        {
            CaptionTaskKinds.DetailedCaption => "Set answer to a detailed description of the picture: a paragraph covering subjects, setting, colours, text and mood.",
            CaptionTaskKinds.Ocr => "Set answer to all text visible in the picture, transcribed exactly, one line per line of text; an empty string if there is none.",
            CaptionTaskKinds.Classify => "Set answer to the one label that fits the picture best, exactly as written, from: "
                + string.Join(", ", task!.Labels!.Select(l => "\"" + l + "\"")) + ".",
            CaptionTaskKinds.Question => "Set answer to the answer to this question about the picture: " + task!.Prompt,
            _ => "Set answer to null.",
        });

        if (task is { Kind: not CaptionTaskKinds.Question, Prompt: { Length: > 0 } extra })
        {
            text.Append(" Also: ").Append(extra);
        }

        return text.ToString();
    }

    /// <summary>The strict JSON schema of the reply (structured outputs); a classify task's answer is its labels.</summary>
    public static JsonObject Schema(CaptionTask? task)
    {
        JsonNode answer = (task?.Kind ?? CaptionTaskKinds.Caption) switch
        {
            CaptionTaskKinds.Caption => new JsonObject { ["type"] = "null" },
            CaptionTaskKinds.Classify => new JsonObject
            {
                ["type"] = "string",
                ["enum"] = new JsonArray(task!.Labels!.Select(l => (JsonNode)JsonValue.Create(l)!).ToArray()),
            },
            _ => new JsonObject { ["type"] = "string" },
        };

        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["images"] = new JsonObject
                {
                    ["type"] = "array",
                    ["items"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject
                        {
                            ["index"] = new JsonObject { ["type"] = "integer" },
                            ["alt_text"] = new JsonObject { ["type"] = "string" },
                            ["answer"] = answer,
                        },
                        ["required"] = new JsonArray("index", "alt_text", "answer"),
                        ["additionalProperties"] = false,
                    },
                },
            },
            ["required"] = new JsonArray("images"),
            ["additionalProperties"] = false,
        };
    }
}
