using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipeline.Search.Hosting;

/// <summary>Loads the query tower at start-up, so a missing or broken model stops the host instead of the first search.</summary>
internal sealed partial class SearchStartup(IServiceProvider services, ILogger<SearchStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var queries = services.GetRequiredService<QueryEmbedder>();
        if (queries.Instance is { } embedder)
        {
            LogReady(logger, embedder.Identity.ModelId, embedder.Identity.IsStandIn, queries.ImageModelId!);
        }
        else
        {
            LogFullTextOnly(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Search embeds queries with {ModelId} (stand-in: {IsStandIn}) and compares them with the vectors of {ImageModelId}")]
    private static partial void LogReady(ILogger logger, string modelId, bool isStandIn, string imageModelId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No image embedder configured (Models:ImageEmbedder:Path): search ranks by full text only, classification returns nothing")]
    private static partial void LogFullTextOnly(ILogger logger);
}
