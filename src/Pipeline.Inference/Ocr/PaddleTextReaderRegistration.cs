using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Ocr;

public static class PaddleTextReaderRegistration
{
    /// <summary>The PP-OCRv4 set of section <c>Ocr</c>, wanted when OCR is enabled and its path set.</summary>
    public static IServiceCollection AddPaddleTextReader(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModelFolderOptions<OcrOptions>(configuration);
        return services.AddSingleton(new ImageModelRegistration(
            "text-reader",
            provider => Options(provider).IsWanted,
            provider => Options(provider).Path,
            provider => new PaddleTextReader(Options(provider), provider.GetRequiredService<OnnxSessionFactory>())));
    }

    private static OcrOptions Options(IServiceProvider provider) => provider.GetRequiredService<IOptions<OcrOptions>>().Value;
}
