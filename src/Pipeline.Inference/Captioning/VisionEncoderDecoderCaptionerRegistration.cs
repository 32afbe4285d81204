using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Captioning;

public static class VisionEncoderDecoderCaptionerRegistration
{
    /// <summary>
    /// The captioner of <c>Models:Captioner</c>, wanted when its path is set and the chat backend does not write the
    /// alt-texts instead (one captioner does).
    /// </summary>
    public static IServiceCollection AddVisionEncoderDecoderCaptioner(this IServiceCollection services, IConfiguration configuration) =>
        CaptioningOptions.BackendIn(configuration) != CaptioningBackend.Onnx
            // Its settings are not this worker's: a folder left in them must not stop a worker that captions otherwise.
            ? services
            : services.AddFolderModel<CaptionerOptions>(configuration, "captioner", (options, sessions) => new VisionEncoderDecoderCaptioner(options, sessions));
}
