using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Captioning.Chat;

public static class ChatCaptionerRegistration
{
    /// <summary>
    /// The OpenAI-compatible captioner, wanted when <c>Captioning:Backend</c> is <c>OpenAI</c>; only then are its
    /// settings (<c>Captioning:OpenAI</c>) bound and validated.
    /// </summary>
    public static IServiceCollection AddChatCaptioner(this IServiceCollection services, IConfiguration configuration)
    {
        if (CaptioningOptions.BackendIn(configuration) != CaptioningBackend.OpenAI)
        {
            return services;
        }

        services.AddOptions<ChatCaptionerOptions>()
            .Bind(configuration.GetSection(ChatCaptionerOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChatCaptionerOptions>, ChatCaptionerOptionsValidator>();
        return services.AddSingleton(new ImageModelRegistration(
            "captioner",
            _ => true,
            _ => null,
            provider => ActivatorUtilities.CreateInstance<ChatCaptioner>(provider)));
    }
}
