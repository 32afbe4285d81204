using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Ocr;

public static class PaddleTextReaderRegistration
{
    /// <summary>The PP-OCRv4 set of section <c>Ocr</c>, wanted when OCR is enabled and its path set.</summary>
    public static IServiceCollection AddPaddleTextReader(this IServiceCollection services, IConfiguration configuration) =>
        services.AddFolderModel<OcrOptions>(configuration, "text-reader", (options, sessions) => new PaddleTextReader(options, sessions));
}
