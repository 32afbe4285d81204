using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Captioning;
using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Florence;

public static class FlorenceRegistration
{
    /// <summary>Florence-2 of <c>Models:Florence</c>, the captioner when <c>Captioning:Backend</c> is <c>Florence</c>.</summary>
    public static IServiceCollection AddFlorence(this IServiceCollection services, IConfiguration configuration)
    {
        if (CaptioningOptions.BackendIn(configuration) != CaptioningBackend.Florence)
        {
            return services;
        }

        services.AddSingleton<IValidateOptions<FlorenceOptions>, FlorenceOptionsValidator>();
        return services.AddFolderModel<FlorenceOptions>(configuration, "captioner", (options, sessions) => new FlorenceCaptioner(options, sessions));
    }
}
