using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;

namespace Pipeline.Inference.Captioning.Chat;

/// <summary>The SDK client for OpenAI, any OpenAI-compatible base URL, or an Azure OpenAI deployment.</summary>
internal static class ChatClientFactory
{
    public static ChatClient Create(ChatCaptionerOptions options)
    {
        var client = new OpenAIClientOptions
        {
            // ChatCaptioner retries itself: it honours Retry-After up to its own cap and splits requests the
            // provider refuses, which the SDK's policy cannot know about.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            UserAgentApplicationId = "pipeline-worker",
        };

        if (options.AzureDeployment is { Length: > 0 } deployment)
        {
            client.Endpoint = new Uri($"{options.Endpoint!.AbsoluteUri.TrimEnd('/')}/openai/deployments/{Uri.EscapeDataString(deployment)}");
            client.AddPolicy(new AzureApiVersionPolicy(options.AzureApiVersion), PipelinePosition.PerCall);
            var apiKey = ApiKeyAuthenticationPolicy.CreateHeaderApiKeyPolicy(new ApiKeyCredential(options.ApiKey), "api-key");
            // Azure takes the key in an api-key header; this constructor is the SDK's way to say so (marked evaluation).
#pragma warning disable OPENAI001
            return new ChatClient(deployment, apiKey, client);
#pragma warning restore OPENAI001
        }

        if (options.Endpoint is { } endpoint)
        {
            client.Endpoint = endpoint;
        }

        return new ChatClient(options.Model, new ApiKeyCredential(options.ApiKey), client);
    }

    /// <summary>Azure OpenAI's deployment URLs need <c>api-version</c> on every request.</summary>
    private sealed class AzureApiVersionPolicy(string apiVersion) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            AddVersion(message);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            AddVersion(message);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }

        private void AddVersion(PipelineMessage message)
        {
            var uri = new UriBuilder(message.Request.Uri!);
            var version = "api-version=" + Uri.EscapeDataString(apiVersion);
            uri.Query = string.IsNullOrEmpty(uri.Query) ? version : uri.Query.TrimStart('?') + "&" + version;
            message.Request.Uri = uri.Uri;
        }
    }
}
