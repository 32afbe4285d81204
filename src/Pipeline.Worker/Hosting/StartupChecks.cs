using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Runtime;
using Pipeline.Messaging;
using Pipeline.ServiceDefaults.Hosting;
using Pipeline.Storage;
using Pipeline.Worker.Device;
using RabbitMQ.Client.Exceptions;

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
            await db.MigrateExclusivelyAsync(cancellationToken).ConfigureAwait(false);
            LogMigrated(logger);
        }

        await DeclareQueuesAsync(cancellationToken).ConfigureAwait(false);
        await VerifyChecksumsAsync(cancellationToken).ConfigureAwait(false);
        var models = services.GetRequiredService<EnabledModels>();
        foreach (var role in ModelRole.All)
        {
            if (models.For(role) is not { } model)
            {
                LogNoModel(logger, role.Name, role.WithoutIt);
                continue;
            }

            if (model.Identity.IsStandIn)
            {
                LogStandIn(logger, model.Identity.ModelId);
            }

            LogReady(logger, role.Name, model.Identity.ModelId, model.Settings, model.Identity.Source);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The input, isolation and error queues in this version's shape, before the bus declares its endpoints: a classic
    /// input queue of an earlier version stops start-up with the command that converts it. An unreachable broker does
    /// not: the bus declares the endpoints' queues once it connects.
    /// </summary>
    private async Task DeclareQueuesAsync(CancellationToken cancellationToken)
    {
        var queue = services.GetRequiredService<InputQueueEndpoint>();
        try
        {
            await queue.DeclareAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (QueueShapeException e)
        {
            throw new StartupRefusedException(e.Message, e);
        }
        catch (BrokerUnreachableException e)
        {
            LogBrokerUnreachable(logger, queue.Queue, e.Message);
        }
    }

    /// <summary>Folders fetched by <c>pipeline models fetch</c> carry a lock file: every file must still match it.</summary>
    private async Task VerifyChecksumsAsync(CancellationToken cancellationToken)
    {
        var folders = services.GetServices<ImageModelRegistration>()
            .Where(model => model.IsWanted(services))
            .Select(model => model.Folder(services));
        foreach (var folder in folders.OfType<string>().Where(Directory.Exists))
        {
            if (ModelLock.TryRead(folder) is { } modelLock)
            {
                await modelLock.VerifyAsync(folder, cancellationToken).ConfigureAwait(false);
                LogVerified(logger, modelLock.Id, modelLock.Files.Count);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ does not answer ({Reason}): queue {Queue} and its isolation and error queues are declared when it does")]
    private static partial void LogBrokerUnreachable(ILogger logger, string queue, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {ModelId}: {Files} files match their SHA-256")]
    private static partial void LogVerified(ILogger logger, string modelId, int files);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database migrations applied")]
    private static partial void LogMigrated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Model {ModelId} is a generated STAND-IN with random weights: results are marked stand-in and mean nothing")]
    private static partial void LogStandIn(ILogger logger, string modelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Role} {ModelId} is ready: {Settings} ({Source})")]
    private static partial void LogReady(ILogger logger, string role, string modelId, string settings, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "No {Role}: {WithoutIt}")]
    private static partial void LogNoModel(ILogger logger, string role, string withoutIt);
}
