using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Messaging;

namespace Pipeline.ServiceDefaults.Bus;

public static class PipelineBus
{
    /// <summary>
    /// MassTransit on the RabbitMQ broker at <paramref name="connectionString"/> (also registered as
    /// <see cref="RabbitMqConnection"/>), started before the host goes on; its health check (<c>masstransit-bus</c>)
    /// is tagged ready.
    /// </summary>
    /// <param name="consumers">Adds the host's consumers.</param>
    /// <param name="endpoints">Configures the host's receive endpoints, once the broker's host is set.</param>
    public static IServiceCollection AddPipelineBus(
        this IServiceCollection services,
        string connectionString,
        Action<IBusRegistrationConfigurator> consumers,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator> endpoints)
    {
        var rabbit = RabbitMqConnection.Parse(connectionString);
        services.AddSingleton(rabbit);
        services.AddMassTransit(bus =>
        {
            // MassTransit 8 reports usage to its vendor over the internet by default; this pipeline phones no one.
            bus.DisableUsageTelemetry();
            consumers(bus);
            bus.UsingRabbitMq((context, rabbitMq) =>
            {
                rabbit.Configure(rabbitMq);
                endpoints(context, rabbitMq);
            });
        });
        services.AddOptions<MassTransitHostOptions>().Configure(options => options.WaitUntilStarted = true);
        return services;
    }
}
