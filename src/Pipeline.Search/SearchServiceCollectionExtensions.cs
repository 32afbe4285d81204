using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Runtime;
using Pipeline.Search.Hosting;
using Pipeline.Storage;

namespace Pipeline.Search;

public static class SearchServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="IImageSearch"/> with its options (<c>Search</c>), the query tower (<c>Models:QueryEmbedder</c>, paired
    /// with the worker's image embedder, or that embedder's own CLIP text tower: <c>Models:ImageEmbedder</c>,
    /// <c>Inference</c>) and, unless the host registered it already, the database
    /// (<c>ConnectionStrings:Postgres</c>). Everything is validated at start-up.
    /// </summary>
    public static IServiceCollection AddImageSearch(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SearchOptions>().Bind(configuration.GetSection(SearchOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SearchOptions>, SearchOptionsValidator>());
        services.AddModelFolderOptions<ImageEmbedderOptions>(configuration);
        services.AddModelFolderOptions<QueryEmbedderOptions>(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueryEmbedderOptions>, QueryEmbedderPairing>());
        services.AddOptions<InferenceOptions>().Bind(configuration.GetSection(InferenceOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        if (!services.Any(d => d.ServiceType == typeof(IDbContextFactory<PipelineDbContext>)))
        {
            services.AddPipelineStorage(configuration.RequiredConnectionString("Postgres"));
        }

        services.TryAddSingleton<OnnxSessionFactory>();
        services.TryAddSingleton(provider =>
        {
            var image = provider.GetRequiredService<IOptions<ImageEmbedderOptions>>().Value;
            var query = provider.GetRequiredService<IOptions<QueryEmbedderOptions>>().Value;
            var sessions = provider.GetRequiredService<OnnxSessionFactory>();
            if (!image.IsWanted)
            {
                return new QueryEmbedder(null, null);
            }

            ITextEmbedder tower = query.IsWanted ? new MClipTextEmbedder(query, sessions) : new ClipTextEmbedder(image, sessions);
            return new QueryEmbedder(tower, ModelIdentity.OfFolder(image.Path, image.ModelId).ModelId);
        });
        services.TryAddSingleton<IImageSearch, ImageSearch>();
        services.AddHostedService<SearchStartup>();
        return services;
    }
}
