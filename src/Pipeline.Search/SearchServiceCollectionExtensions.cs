using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Runtime;
using Pipeline.Search.Hosting;
using Pipeline.Storage;

namespace Pipeline.Search;

public static class SearchServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="IImageSearch"/> with its options (<c>Search</c>), the CLIP text tower of the worker's image embedder
    /// (<c>Models:ImageEmbedder</c>, <c>Inference</c>) and, unless the host registered it already, the database
    /// (<c>ConnectionStrings:Postgres</c>). Everything is validated at start-up.
    /// </summary>
    public static IServiceCollection AddImageSearch(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SearchOptions>().Bind(configuration.GetSection(SearchOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SearchOptions>, SearchOptionsValidator>());
        services.AddModelFolderOptions<ImageEmbedderOptions>(configuration);
        services.AddOptions<InferenceOptions>().Bind(configuration.GetSection(InferenceOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        if (!services.Any(d => d.ServiceType == typeof(IDbContextFactory<PipelineDbContext>)))
        {
            services.AddPipelineStorage(configuration.RequiredConnectionString("Postgres"));
        }

        services.TryAddSingleton<OnnxSessionFactory>();
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ImageEmbedderOptions>>().Value;
            return new QueryEmbedder(string.IsNullOrWhiteSpace(options.Path)
                ? null
                : new ClipTextEmbedder(options, provider.GetRequiredService<OnnxSessionFactory>()));
        });
        services.TryAddSingleton<IImageSearch, ImageSearch>();
        services.AddHostedService<SearchStartup>();
        return services;
    }
}
