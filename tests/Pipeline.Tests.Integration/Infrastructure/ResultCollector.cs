using System.Collections.Concurrent;
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Messaging;

namespace Pipeline.Tests.Integration.Infrastructure;

/// <summary>
/// A separate bus, as another system would run it: sends <see cref="ImageUploaded"/> to the worker's queue and
/// records the <see cref="ImageDescribed"/> / <see cref="ImageDescriptionFailed"/> events of the images it sent.
/// Result events fan out to every listener on the broker, and other tests run at the same time.
/// </summary>
public sealed class ResultCollector : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly ConcurrentDictionary<string, bool> _watched = new(StringComparer.Ordinal);

    private readonly RabbitMqConnection _rabbit;

    private ResultCollector(IBusControl bus, RabbitMqConnection rabbit) => (_bus, _rabbit) = (bus, rabbit);

    public ConcurrentQueue<ImageDescribed> Described { get; } = new();

    public ConcurrentQueue<ImageDescriptionFailed> Failed { get; } = new();

    /// <summary>The W3C <c>traceparent</c> header of each <see cref="ImageDescribed"/>, by image id (the last one).</summary>
    public ConcurrentDictionary<string, string?> TraceParents { get; } = new(StringComparer.Ordinal);

    public static async Task<ResultCollector> StartAsync(string rabbitMq, CancellationToken cancellationToken)
    {
        ResultCollector? collector = null;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            RabbitMqConnection.Parse(rabbitMq).Configure(cfg);
            cfg.ReceiveEndpoint(new TemporaryEndpointDefinition(), endpoint =>
            {
                endpoint.Handler<ImageDescribed>(context =>
                {
                    if (collector!._watched.ContainsKey(context.Message.ImageId))
                    {
                        collector.TraceParents[context.Message.ImageId] = context.Headers.Get<string>("traceparent");
                        collector.Described.Enqueue(context.Message);
                    }

                    return Task.CompletedTask;
                });
                endpoint.Handler<ImageDescriptionFailed>(context =>
                {
                    if (collector!._watched.ContainsKey(context.Message.ImageId))
                    {
                        collector.Failed.Enqueue(context.Message);
                    }

                    return Task.CompletedTask;
                });
            });
        });
        collector = new ResultCollector(bus, RabbitMqConnection.Parse(rabbitMq));
        await bus.StartAsync(cancellationToken).ConfigureAwait(false);
        return collector;
    }

    public async Task SendAsync(string queueName, IEnumerable<ImageUploaded> messages, CancellationToken cancellationToken)
    {
        var endpoint = await new InputQueueEndpoint(_rabbit, queueName).GetAsync(_bus, cancellationToken).ConfigureAwait(false);
        foreach (var message in messages)
        {
            Watch(message.ImageId);
            await endpoint.Send(message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Records results for this id from now on (for messages that reach the worker another way).</summary>
    public void Watch(string imageId) => _watched.TryAdd(imageId, true);

    /// <summary>How many result events (of either kind) arrived for <paramref name="imageId"/>.</summary>
    public int CountFor(string imageId) =>
        Described.Count(d => d.ImageId == imageId) + Failed.Count(f => f.ImageId == imageId);

    /// <summary>Waits until every id has at least <paramref name="times"/> results, or fails with the ids still missing.</summary>
    public async Task WaitForAsync(IReadOnlyCollection<string> imageIds, int times, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var missing = imageIds.Where(id => CountFor(id) < times).ToList();
            if (missing.Count == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No result ×{times} within {timeout.TotalSeconds:F0} s for: {string.Join(", ", missing)}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await _bus.StopAsync(CancellationToken.None).ConfigureAwait(false);
}
