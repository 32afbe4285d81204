using Microsoft.Extensions.DependencyInjection;
using Pipeline.Sources;
using Pipeline.Sources.Urls;

namespace Pipeline.Tests.Unit.Sources;

/// <summary>
/// <see cref="UrlImageFetcher"/> wired as the worker wires it (<see cref="UrlSourceServiceCollectionExtensions.AddUrlImageSource"/>),
/// with a fake resolver in front of the guard.
/// </summary>
internal sealed class UrlFetcherHost : IDisposable
{
    private readonly ServiceProvider _provider;

    public UrlFetcherHost(FakeResolver resolver, Action<UrlSourceOptions>? configure = null, long maxBytes = 32L * 1024 * 1024)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOptions<SourceOptions>().Configure(options => options.MaxBytes = maxBytes);
        services.AddOptions<UrlSourceOptions>().Configure(options => configure?.Invoke(options)).ValidateOnStart();
        services.AddSingleton<IHostResolver>(resolver);
        services.AddUrlImageSource();
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Fetcher = _provider.GetRequiredService<UrlImageFetcher>();
    }

    public UrlImageFetcher Fetcher { get; }

    /// <summary>Reaching the test's own Kestrel server on 127.0.0.1 over http takes both of these.</summary>
    public static void AllowLocalHttp(UrlSourceOptions options)
    {
        options.AllowHttp = true;
        options.AllowedNetworks.Add("127.0.0.0/8");
    }

    public void Dispose() => _provider.Dispose();
}
