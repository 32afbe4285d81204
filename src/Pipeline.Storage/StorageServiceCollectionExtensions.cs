using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Storage.Watching;

namespace Pipeline.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers a pooled context factory (consumers run batches concurrently), the result store, the downscale settings and the blob announcements.</summary>
    public static IServiceCollection AddPipelineStorage(this IServiceCollection services, string connectionString)
    {
        services.AddPooledDbContextFactory<PipelineDbContext>(options => Configure(options, connectionString));
        services.AddSingleton<ImageResultStore>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DownscaleSettingsStore>();
        services.AddSingleton<BlobAnnouncementStore>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("postgres", tags: ["ready"]);
        return services;
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.UseVector());
}
