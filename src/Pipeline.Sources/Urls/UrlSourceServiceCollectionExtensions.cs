using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Pipeline.Sources.Urls;

public static class UrlSourceServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="UrlImageFetcher"/> and its guarded HTTP client. Options are bound by the caller; an
    /// <see cref="IHostResolver"/> registered before this call replaces the system resolver.
    /// </summary>
    public static IServiceCollection AddUrlImageSource(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<UrlSourceOptions>, UrlSourceOptionsValidator>();
        services.TryAddSingleton<IHostResolver, DnsHostResolver>();
        services.AddSingleton<UrlGuard>();
        services.AddSingleton<GuardedConnections>();
        services.AddHttpClient(UrlImageFetcher.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => provider.GetRequiredService<GuardedConnections>().CreateHandler())
            // The fetcher logs what matters (redirects, retries) with URLs stripped of credentials and signatures.
            .RemoveAllLoggers();
        services.AddSingleton<UrlImageFetcher>();
        return services;
    }
}
