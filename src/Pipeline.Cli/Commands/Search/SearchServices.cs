using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Embeddings;
using Pipeline.Search;

namespace Pipeline.Cli.Commands.Search;

/// <summary>The search service as the API runs it, from the same settings (database, CLIP folder, query tower, <c>Search:*</c>).</summary>
internal sealed class SearchServices : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private SearchServices(ServiceProvider provider) => _provider = provider;

    public IImageSearch Search => _provider.GetRequiredService<IImageSearch>();

    public static SearchServices Create(IConfiguration configuration)
    {
        var provider = new ServiceCollection().AddLogging().AddImageSearch(configuration).BuildServiceProvider();
        try
        {
            // A host validates on start; a command has no host, so reading the options is what validates them.
            _ = provider.GetRequiredService<IOptions<SearchOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<ImageEmbedderOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<QueryEmbedderOptions>>().Value;
            return new SearchServices(provider);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
