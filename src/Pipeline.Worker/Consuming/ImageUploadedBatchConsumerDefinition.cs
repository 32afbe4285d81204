using MassTransit;
using Microsoft.Extensions.Options;

namespace Pipeline.Worker.Consuming;

/// <summary>Owns the input endpoint: queue name, prefetch, batch size and time limit, concurrency, retry.</summary>
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

        // Producers without MassTransit publish plain JSON; envelopes (application/vnd.masstransit+json) still work.
        endpointConfigurator.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);

        consumerConfigurator.UseMessageRetry(retry => retry.Exponential(
            _options.RetryLimit,
            TimeSpan.FromMilliseconds(_options.RetryMinDelayMs),
            TimeSpan.FromMilliseconds(_options.RetryMaxDelayMs),
            TimeSpan.FromMilliseconds(_options.RetryMinDelayMs)));

        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(_options.MaxBatchSize)
            .SetTimeLimit(TimeSpan.FromMilliseconds(_options.TimeLimitMs))
            .SetTimeLimitStart(BatchTimeLimitStart.FromFirst)
            .SetConcurrencyLimit(_options.ConcurrentBatches));
    }
}
