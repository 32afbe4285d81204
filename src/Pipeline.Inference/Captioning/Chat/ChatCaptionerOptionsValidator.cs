using Microsoft.Extensions.Options;

namespace Pipeline.Inference.Captioning.Chat;

/// <summary>The rules across <see cref="ChatCaptionerOptions"/>' settings; each setting's own range is an attribute.</summary>
public sealed class ChatCaptionerOptionsValidator : IValidateOptions<ChatCaptionerOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatCaptionerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Model) && string.IsNullOrWhiteSpace(options.AzureDeployment))
        {
            failures.Add("Captioning:OpenAI needs a Model (or an AzureDeployment for Azure OpenAI).");
        }

        if (!string.IsNullOrWhiteSpace(options.AzureDeployment) && options.Endpoint is null)
        {
            failures.Add("Captioning:OpenAI:AzureDeployment needs the resource's Endpoint (https://NAME.openai.azure.com).");
        }

        if (options.Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
        {
            failures.Add("Captioning:OpenAI:Endpoint must be an absolute http(s) URL.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
