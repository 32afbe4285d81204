using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Embeddings;
using Pipeline.Storage;

namespace Pipeline.Worker.Hosting;

/// <summary>
/// Loads the models (a missing or corrupt model stops start-up with a clear message instead of failing every
/// batch later) and, when asked, applies migrations — both before the bus takes its first message.
/// </summary>
public sealed partial class StartupChecks(
    IServiceProvider services,
    IOptions<DatabaseOptions> database,
    ILogger<StartupChecks> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (database.Value.MigrateOnStartup)
        {
            var contexts = services.GetRequiredService<IDbContextFactory<PipelineDbContext>>();
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            LogMigrated(logger);
        }

        var embedder = services.GetRequiredService<IImageEmbedder>();
        if (embedder.IsStandIn)
        {
            LogStandIn(logger, embedder.ModelId);
        }

        LogReady(logger, embedder.ModelId, embedder.Dimensions);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database migrations applied")]
    private static partial void LogMigrated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Image embedder {ModelId} is a generated STAND-IN with random weights: results are marked stand-in and mean nothing")]
    private static partial void LogStandIn(ILogger logger, string modelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Image embedder {ModelId} ready ({Dimensions} dimensions)")]
    private static partial void LogReady(ILogger logger, string modelId, int dimensions);
}
