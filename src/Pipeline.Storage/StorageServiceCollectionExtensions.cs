using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Pipeline.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers a pooled context factory (consumers run batches concurrently), the result store and the downscale settings.</summary>
    public static IServiceCollection AddPipelineStorage(this IServiceCollection services, string connectionString)
    {
        services.AddPooledDbContextFactory<PipelineDbContext>(options => Configure(options, connectionString));
        services.AddSingleton<ImageResultStore>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DownscaleSettingsStore>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("postgres", tags: ["ready"]);
        return services;
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.UseVector());
}
