using MassTransit;
using Pipeline.Messaging;

namespace Pipeline.Worker.Intake;

/// <summary>What the input endpoint and its isolation endpoint share: the queue's shape, the wire formats, the retry policy.</summary>
internal static class InputEndpoints
{
    public static void Configure(IReceiveEndpointConfigurator endpoint, BatchingOptions options)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbitMq)
        {
            InputQueues.Configure(rabbitMq, options.QueueName);
        }

        // Producers without MassTransit publish plain JSON; envelopes (application/vnd.masstransit+json) still work.
        endpoint.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
    }

    /// <summary>Infrastructure faults (database, blob store) retry with exponential backoff, then park the messages.</summary>
    public static void Retry(IRetryConfigurator retry, BatchingOptions options) => retry.Exponential(
        options.RetryLimit,
        TimeSpan.FromMilliseconds(options.RetryMinDelayMs),
        TimeSpan.FromMilliseconds(options.RetryMaxDelayMs),
        TimeSpan.FromMilliseconds(options.RetryMinDelayMs));
}
