using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Embeddings;

public static class ClipImageEmbedderRegistration
{
    /// <summary>The CLIP image tower of <c>Models:ImageEmbedder</c>, wanted when its path is set.</summary>
    public static IServiceCollection AddClipImageEmbedder(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModelFolderOptions<ImageEmbedderOptions>(configuration);
        return services.AddSingleton(new ImageModelRegistration(
            "image-embedder",
            provider => Options(provider).IsWanted,
            provider => Options(provider).Path,
            provider => new ClipImageEmbedder(Options(provider), provider.GetRequiredService<OnnxSessionFactory>())));
    }

    private static ImageEmbedderOptions Options(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<ImageEmbedderOptions>>().Value;
}
