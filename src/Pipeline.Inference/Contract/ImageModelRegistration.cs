using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Contract;

/// <summary>
/// A model the configuration may enable, as its own folder registers it (<see cref="ImageModels.AddImageModels"/>):
/// whether it is wanted, the folder its files are in (checked against its fetch lock before it loads), and how it
/// loads.
/// </summary>
/// <param name="Name">For logs and metrics: <c>image-embedder</c>, <c>captioner</c>, <c>text-reader</c>.</param>
/// <param name="Folder">The model's folder when it is wanted and loads from one; null when not wanted or remote.</param>
/// <param name="IsWanted">Whether the configuration enables it.</param>
/// <param name="Load">Loads it (ONNX sessions, tokenizers, clients); throws a one-line error when it cannot.</param>
public sealed record ImageModelRegistration(
    string Name,
    Func<IServiceProvider, bool> IsWanted,
    Func<IServiceProvider, string?> Folder,
    Func<IServiceProvider, IImageModel> Load);

public static class ImageModelRegistrations
{
    /// <summary>
    /// Registers a model loaded from the folder of <typeparamref name="TOptions"/>' section: its settings bound and
    /// checked at start-up, wanted when they say so (<see cref="IModelFolderOptions.IsWanted"/>).
    /// </summary>
    public static IServiceCollection AddFolderModel<TOptions>(
        this IServiceCollection services, IConfiguration configuration, string name, Func<TOptions, OnnxSessionFactory, IImageModel> load)
        where TOptions : class, IModelFolderOptions
    {
        services.AddModelFolderOptions<TOptions>(configuration);
        return services.AddSingleton(new ImageModelRegistration(
            name,
            provider => Options(provider).IsWanted,
            provider => Options(provider).Path,
            provider => load(Options(provider), provider.GetRequiredService<OnnxSessionFactory>())));

        static TOptions Options(IServiceProvider provider) => provider.GetRequiredService<IOptions<TOptions>>().Value;
    }
}
