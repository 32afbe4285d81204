using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Captioning;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Ocr;
using Pipeline.Inference.Runtime;
using Pipeline.Worker.Stages.Captioning;
using Pipeline.Worker.Stages.Embedding;
using Pipeline.Worker.Stages.Reading;
using Pipeline.Messaging;
using Pipeline.ServiceDefaults.Hosting;
using Pipeline.Storage;
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
        if (services.GetRequiredService<OptionalEmbedder>().Instance is { } embedder)
        {
            if (embedder.IsStandIn)
            {
                LogStandIn(logger, embedder.ModelId);
            }

            LogReady(logger, embedder.ModelId, embedder.Dimensions);
        }
        else
        {
            LogNoEmbedder(logger);
        }

        if (services.GetRequiredService<OptionalCaptioner>().Instance is VisionEncoderDecoderCaptioner captioner)
        {
            if (captioner.IsStandIn)
            {
                LogStandIn(logger, captioner.ModelId);
            }

            var settings = captioner.Settings;
            LogCaptioner(logger, captioner.ModelId, settings.NumBeams, settings.MaxLength, settings.RepetitionPenalty, settings.NoRepeatNgramSize);
            if (settings.ConfigAskedForSampling)
            {
                LogSamplingIgnored(logger, captioner.ModelId);
            }
        }
        else if (services.GetRequiredService<OptionalChatCaptioner>().Instance is { } chat)
        {
            LogChatCaptioner(logger, chat.ModelId);
        }
        else
        {
            LogNoCaptioner(logger);
        }

        if (services.GetRequiredService<OptionalTextReader>().Instance is { } reader)
        {
            LogTextReader(logger, reader.ModelId);
        }
        else
        {
            LogNoTextReader(logger);
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
        var folders = new[]
        {
            services.GetRequiredService<IOptions<ImageEmbedderOptions>>().Value.Path,
            services.GetRequiredService<IOptions<CaptionerOptions>>().Value.Path,
            services.GetRequiredService<IOptions<OcrOptions>>().Value.Path,
        };
        foreach (var folder in folders.Where(f => !string.IsNullOrWhiteSpace(f) && Directory.Exists(f)))
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

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Captioner {ModelId} ready: {NumBeams} beam(s), max length {MaxLength}, repetition penalty {RepetitionPenalty}, no-repeat n-gram {NoRepeatNgramSize}")]
    private static partial void LogCaptioner(ILogger logger, string modelId, int numBeams, int maxLength, float repetitionPenalty, int noRepeatNgramSize);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Captioner {ModelId}: its generation config asks for sampling; decoding deterministically (greedy or beam search) instead")]
    private static partial void LogSamplingIgnored(ILogger logger, string modelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Captioner {ModelId}: OpenAI-compatible chat completions (Captioning:OpenAI)")]
    private static partial void LogChatCaptioner(ILogger logger, string modelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "No captioner configured (Models:Captioner:Path): alt-text has no caption")]
    private static partial void LogNoCaptioner(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Text reader {ModelId} ready: text in pictures goes into alt-text and ocr_text")]
    private static partial void LogTextReader(ILogger logger, string modelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "OCR off (Ocr:Enabled false or no Ocr:Path): text in pictures is not read")]
    private static partial void LogNoTextReader(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Image embedder {ModelId} ready ({Dimensions} dimensions)")]
    private static partial void LogReady(ILogger logger, string modelId, int dimensions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No image embedder (Models:ImageEmbedder:Path): images get no vector and cannot be found by search")]
    private static partial void LogNoEmbedder(ILogger logger);
}
