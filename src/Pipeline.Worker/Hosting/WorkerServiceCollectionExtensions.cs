using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.Imaging;
using Pipeline.Imaging.Budget;
using Pipeline.Inference;
using Pipeline.Inference.Runtime;
using Pipeline.Messaging;
using Pipeline.ServiceDefaults.Blobs;
using Pipeline.ServiceDefaults.Bus;
using Pipeline.ServiceDefaults.Telemetry;
using Pipeline.Sources;
using Pipeline.Sources.Urls;
using Pipeline.Sources.Watching;
using Pipeline.Storage;
using Pipeline.Worker.Device;
using Pipeline.Worker.Intake;
using Pipeline.Worker.Intake.Watching;
using Pipeline.Worker.Processing;
using Pipeline.Worker.Processing.Decoding;
using Pipeline.Worker.Processing.Fetching;
using Pipeline.Worker.Processing.Tasks;
using Pipeline.Worker.Results;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Hosting;

public static class WorkerServiceCollectionExtensions
{
    /// <summary>Everything the worker runs, configured from <paramref name="configuration"/> and validated at start-up.</summary>
    public static IServiceCollection AddPipelineWorker(this IServiceCollection services, IConfiguration configuration)
    {
        AddValidatedOptions<BatchingOptions>(services, configuration, BatchingOptions.Section);
        AddValidatedOptions<ImagingOptions>(services, configuration, ImagingOptions.Section);
        AddValidatedOptions<SourceOptions>(services, configuration, SourceOptions.Section);
        AddValidatedOptions<UrlSourceOptions>(services, configuration, UrlSourceOptions.Section);
        AddValidatedOptions<InferenceOptions>(services, configuration, InferenceOptions.Section);
        // Only the worker runs passes side by side, so only its sessions divide the processors among them; the API's
        // and the CLI's take every processor for their one query at a time.
        services.PostConfigure<InferenceOptions>(inference => inference.IntraOpThreads = inference.ThreadsPerPass);
        services.AddImageModels(configuration);
        AddValidatedOptions<DatabaseOptions>(services, configuration, DatabaseOptions.Section);
        AddValidatedOptions<ShutdownOptions>(services, configuration, ShutdownOptions.Section);
        AddValidatedOptions<BlobWatchOptions>(services, configuration, BlobWatchOptions.Section);
        services.AddSingleton<IValidateOptions<BlobWatchOptions>, BlobWatchOptionsValidator>();
        services.AddSingleton<IValidateOptions<BlobWatchOptions>, WatchedContainersValidator>();
        AddValidatedOptions<FaultInjectionOptions>(services, configuration, FaultInjectionOptions.Section);
        services.AddSingleton<IValidateOptions<FaultInjectionOptions>, FaultInjectionOptionsValidator>();

        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<PipelineMetrics>();
        // Before the other hosted services, so that start-up (the model loads) is measured too.
        services.AddHostTelemetry(configuration, new HostInstrumentation("pipeline-worker")
        {
            ActivitySources = [PipelineActivities.SourceName],
            Meters = [PipelineMetrics.MeterName],
        });

        services.AddPipelineStorage(configuration.RequiredConnectionString("Postgres"));
        services.AddBlobStore(configuration.RequiredConnectionString("Blobs"));
        services.AddSingleton<BlobImageFetcher>();
        services.AddUrlImageSource();
        services.AddSingleton<IImageFetcher, ImageFetcher>();

        services.AddSingleton<DecoderSource>();
        services.AddSingleton(provider =>
        {
            var imaging = provider.GetRequiredService<IOptions<ImagingOptions>>().Value;
            return new DecodeBudget(imaging.MaxDecodingPixels, imaging.DecodeSlots);
        });
        services.AddSingleton<EnabledModels>();
        services.AddSingleton(provider =>
        {
            var batching = provider.GetRequiredService<IOptions<BatchingOptions>>().Value;
            return new PassSettings(batching.MaxBatchSize, TimeSpan.FromMilliseconds(batching.MaxQueueDelayMs));
        });

        services.AddSingleton<FetchStage>();
        services.AddSingleton<DecodeStage>();
        services.AddSingleton<TaskCheck>();
        services.AddSingleton<InferenceScheduler>();
        services.AddSingleton<RecordMapper>();
        services.AddSingleton<ResultPublisher>();
        services.AddSingleton<BatchProcessor>();
        services.AddSingleton<PoisonMessages>();
        services.AddSingleton<FaultInjection>();

        services.AddSingleton<BlobOwners>();
        services.AddSingleton<ContainerPoll>();
        services.AddSingleton(provider => new ContainerLeases(
            configuration.RequiredConnectionString("Postgres"), provider.GetRequiredService<ILogger<ContainerLease>>()));

        services.AddSingleton(provider => new InputQueueEndpoint(
            provider.GetRequiredService<RabbitMqConnection>(), provider.GetRequiredService<IOptions<BatchingOptions>>().Value.QueueName));

        // Registered before MassTransit so models load (and migrations run) before the first message is taken.
        services.AddHostedService<StartupChecks>();
        // Started before the bus and so stopped after it: consumes under way finish their inference.
        services.AddHostedService<InferenceSchedulerHost>();

        services.AddPipelineBus(
            configuration.RequiredConnectionString("RabbitMq"),
            bus =>
            {
                bus.AddConsumer<ImageUploadedBatchConsumer, ImageUploadedBatchConsumerDefinition>();
                bus.AddConsumer<IsolatedImageConsumer, IsolatedImageConsumerDefinition>();
            },
            (context, rabbitMq) =>
            {
                InputQueues.KeepParkingQueuesPlain(rabbitMq);
                rabbitMq.ConfigureEndpoints(context);
            });
        // After the bus, so the watcher starts once it can send (and, stopping first, stops announcing before it stops).
        services.AddHostedService<BlobWatcher>();

        // On SIGTERM the bus stops taking messages and waits for the batches it holds; the host gives it the same time.
        services.AddOptions<MassTransitHostOptions>().Configure<IOptions<ShutdownOptions>>((options, shutdown) =>
            options.StopTimeout = TimeSpan.FromSeconds(shutdown.Value.TimeoutSeconds));
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((options, shutdown) =>
            options.ShutdownTimeout = TimeSpan.FromSeconds(shutdown.Value.TimeoutSeconds));

        return services;
    }

    private static void AddValidatedOptions<TOptions>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
}
