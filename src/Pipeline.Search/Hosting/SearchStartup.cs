using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipeline.Search.Hosting;

/// <summary>Loads the CLIP text tower at start-up, so a missing or broken model stops the host instead of the first search.</summary>
internal sealed partial class SearchStartup(IServiceProvider services, ILogger<SearchStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetRequiredService<QueryEmbedder>().Instance is { } embedder)
        {
            LogReady(logger, embedder.Identity.ModelId, embedder.Identity.IsStandIn);
        }
        else
        {
            LogFullTextOnly(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Search embeds queries with {ModelId} (stand-in: {IsStandIn})")]
    private static partial void LogReady(ILogger logger, string modelId, bool isStandIn);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No image embedder configured (Models:ImageEmbedder:Path): search ranks by full text only, classification returns nothing")]
    private static partial void LogFullTextOnly(ILogger logger);
}
