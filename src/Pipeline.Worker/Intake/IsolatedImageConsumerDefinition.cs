using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.Messaging;

namespace Pipeline.Worker.Intake;

/// <summary>The isolation endpoint: one message at a time, so a picture that stops the process stops it alone.</summary>
public sealed class IsolatedImageConsumerDefinition : ConsumerDefinition<IsolatedImageConsumer>
{
    private readonly BatchingOptions _options;

    public IsolatedImageConsumerDefinition(IOptions<BatchingOptions> options)
    {
        _options = options.Value;
        EndpointName = InputQueues.Isolation(_options.QueueName);
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<IsolatedImageConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 1;
        InputEndpoints.Configure(endpointConfigurator, _options);
        consumerConfigurator.UseMessageRetry(retry => InputEndpoints.Retry(retry, _options));
    }
}
