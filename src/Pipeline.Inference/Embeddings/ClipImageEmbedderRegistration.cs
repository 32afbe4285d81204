using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Embeddings;

public static class ClipImageEmbedderRegistration
{
    /// <summary>The CLIP image tower of <c>Models:ImageEmbedder</c>, wanted when its path is set.</summary>
    public static IServiceCollection AddClipImageEmbedder(this IServiceCollection services, IConfiguration configuration) =>
        services.AddFolderModel<ImageEmbedderOptions>(configuration, "image-embedder", (options, sessions) => new ClipImageEmbedder(options, sessions));
}
