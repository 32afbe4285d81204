using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Inference.Captioning;
using Pipeline.Inference.Captioning.Chat;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Florence;
using Pipeline.Inference.Ocr;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference;

/// <summary>The one list of the models a worker can run; adding a model is its folder and one line here.</summary>
public static class ImageModels
{
    /// <summary>
    /// Registers every model's settings and an <see cref="ImageModelRegistration"/> for each; the configuration decides
    /// which of them load.
    /// </summary>
    public static IServiceCollection AddImageModels(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<OnnxSessionFactory>();
        // Which captioner writes the alt-texts: the two captioners' registrations read it.
        services.AddOptions<CaptioningOptions>().Bind(configuration.GetSection(CaptioningOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        return services
            .AddClipImageEmbedder(configuration)
            .AddVisionEncoderDecoderCaptioner(configuration)
            .AddChatCaptioner(configuration)
            .AddFlorence(configuration)
            .AddPaddleTextReader(configuration);
    }
}
