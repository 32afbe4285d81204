using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.Messaging;

namespace Pipeline.Worker.Intake;

/// <summary>Owns the input endpoint: a quorum queue (<see cref="InputQueues"/>), prefetch, batch size and time limit, concurrency, retry.</summary>
public sealed class ImageUploadedBatchConsumerDefinition : ConsumerDefinition<ImageUploadedBatchConsumer>
{
    private readonly BatchingOptions _options;

    public ImageUploadedBatchConsumerDefinition(IOptions<BatchingOptions> options)
    {
        _options = options.Value;
        EndpointName = _options.QueueName;
        // Every prefetched message may join a batch: the next batches collect while the others run and start the
        // moment a slot frees, instead of their messages waiting undelivered until then.
        ConcurrentMessageLimit = _options.PrefetchCount;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ImageUploadedBatchConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _options.PrefetchCount;
        InputEndpoints.Configure(endpointConfigurator, _options);
        consumerConfigurator.UseMessageRetry(retry => InputEndpoints.Retry(retry, _options));

        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(_options.MaxBatchSize)
            .SetTimeLimit(TimeSpan.FromMilliseconds(_options.TimeLimitMs))
            .SetTimeLimitStart(BatchTimeLimitStart.FromFirst)
            .SetConcurrencyLimit(_options.ConcurrentBatches));
    }
}
