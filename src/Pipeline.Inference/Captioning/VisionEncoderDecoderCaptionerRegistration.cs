using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Captioning;

public static class VisionEncoderDecoderCaptionerRegistration
{
    /// <summary>
    /// The captioner of <c>Models:Captioner</c>, wanted when its path is set and the chat backend does not write the
    /// alt-texts instead (one captioner does).
    /// </summary>
    public static IServiceCollection AddVisionEncoderDecoderCaptioner(this IServiceCollection services, IConfiguration configuration)
    {
        if (CaptioningOptions.ChatIn(configuration))
        {
            // Its settings are not this worker's: a folder left in them must not stop a worker that captions by chat.
            return services;
        }

        services.AddModelFolderOptions<CaptionerOptions>(configuration);
        return services.AddSingleton(new ImageModelRegistration(
            "captioner",
            provider => Options(provider).IsWanted,
            provider => Options(provider).Path,
            provider => new VisionEncoderDecoderCaptioner(Options(provider), provider.GetRequiredService<OnnxSessionFactory>())));
    }

    private static CaptionerOptions Options(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<CaptionerOptions>>().Value;
}
