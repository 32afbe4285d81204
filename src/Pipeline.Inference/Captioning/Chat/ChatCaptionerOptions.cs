using System.ComponentModel.DataAnnotations;
using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Captioning.Chat;

/// <summary>The OpenAI-compatible captioner (section <c>Captioning:OpenAI</c>), used when <c>Captioning:Backend</c> is <c>OpenAI</c>.</summary>
public sealed class ChatCaptionerOptions
{
    public const string Section = "Captioning:OpenAI";

    /// <summary>
    /// The API's base URL: empty for OpenAI itself, <c>http://host:8000/v1</c> for vLLM or llama.cpp,
    /// <c>http://host:11434/v1</c> for Ollama, <c>https://NAME.openai.azure.com</c> for Azure OpenAI (with
    /// <see cref="AzureDeployment"/>).
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer</c> (as <c>api-key</c> to Azure). Local servers accept any value.</summary>
    [Required(ErrorMessage = "Captioning:OpenAI:ApiKey is required (any value for a local server that ignores it).")]
    public string ApiKey { get; set; } = "";

    /// <summary>The model, e.g. <c>gpt-4o-mini</c>; on Azure the deployment decides and this only names the results.</summary>
    public string? Model { get; set; }

    /// <summary>Azure OpenAI: the deployment; requests go to <c>{Endpoint}/openai/deployments/{AzureDeployment}/chat/completions</c>.</summary>
    public string? AzureDeployment { get; set; }

    /// <summary>Azure OpenAI: the <c>api-version</c> query parameter.</summary>
    [RegularExpression(@"^\d{4}-\d{2}-\d{2}(-preview)?$")]
    public string AzureApiVersion { get; set; } = "2024-10-21";

    /// <summary>
    /// <c>low</c> (one 512×512 view, 85 tokens an image on OpenAI: enough for alt-text and cheapest), <c>high</c>
    /// (tiles, for small print: the <c>ocr</c> task) or <c>auto</c>.
    /// </summary>
    [RegularExpression("^(low|high|auto)$")]
    public string Detail { get; set; } = "low";

    /// <summary>Images in one request; providers cap it (OpenAI and Azure: 10).</summary>
    [Range(1, 50)]
    public int MaxImagesPerRequest { get; set; } = 10;

    /// <summary>Output tokens allowed per image; a request's <c>max_tokens</c> is this times its images.</summary>
    [Range(16, 16_384)]
    public int MaxTokensPerImage { get; set; } = 300;

    [Range(0.0, 2.0)]
    public double Temperature { get; set; }

    /// <summary>Asks the provider for repeatable answers where it supports it.</summary>
    public int? Seed { get; set; } = 42;

    /// <summary>
    /// <c>JsonSchema</c>: structured outputs (strict schema; OpenAI, recent Azure, vLLM, llama.cpp, Ollama).
    /// <c>JsonObject</c>: JSON mode. <c>None</c>: the prompt alone asks for JSON, for deployments that refuse both
    /// with images (Azure's gpt-4 turbo-2024-04-09).
    /// </summary>
    public ChatAnswerFormat AnswerFormat { get; set; } = ChatAnswerFormat.JsonSchema;

    /// <summary>The language of alt-texts and answers, e.g. <c>English</c>, <c>Korean</c>, <c>Chinese</c>.</summary>
    [Required]
    public string Language { get; set; } = "English";

    /// <summary>Longest side of the JPEG sent for each image; larger pictures are scaled down first.</summary>
    [Range(64, 4096)]
    public int ImageMaxSide { get; set; } = 1024;

    /// <summary>Retries of a request answered 429 or 5xx (or not at all), after Retry-After or a growing backoff.</summary>
    [Range(0, 20)]
    public int MaxRetries { get; set; } = 5;

    /// <summary>The longest wait before a retry, whatever Retry-After says.</summary>
    [Range(1, 600)]
    public int MaxRetryDelaySeconds { get; set; } = 60;

    /// <summary>One request's time limit.</summary>
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 120;

    /// <summary>Requests in flight at once, across batches (the provider's rate limit is per account).</summary>
    [Range(1, 64)]
    public int MaxConcurrentRequests { get; set; } = 4;

    /// <summary>Price of a million prompt tokens, for the per-image cost estimate in the log (0: not logged).</summary>
    [Range(0.0, 10_000.0)]
    public double InputPricePerMillionTokens { get; set; }

    /// <summary>Price of a million completion tokens, for the per-image cost estimate in the log.</summary>
    [Range(0.0, 10_000.0)]
    public double OutputPricePerMillionTokens { get; set; }

    /// <summary>Stored with each caption; defaults to <c>openai:{Model}</c> (or the Azure deployment).</summary>
    public string? ModelId { get; set; }

    public ModelIdentity Identity => ModelIdentity.Remote(ModelId, $"openai:{AzureDeployment ?? Model}", Endpoint);
}

public enum ChatAnswerFormat
{
    JsonSchema,
    JsonObject,
    None,
}
