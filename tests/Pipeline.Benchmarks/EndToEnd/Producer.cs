using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Messaging;

namespace Pipeline.Benchmarks.EndToEnd;

/// <summary>Another system's bus: announces images and notes when each result event comes back.</summary>
internal sealed class Producer : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly ConcurrentDictionary<string, long> _sent = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Result> _results = new(StringComparer.Ordinal);

    private readonly RabbitMqConnection _rabbit;

    private Producer(IBusControl bus, RabbitMqConnection rabbit) => (_bus, _rabbit) = (bus, rabbit);

    public IReadOnlyDictionary<string, Result> Results => _results;

    public static async Task<Producer> StartAsync(string rabbitMq, CancellationToken cancellationToken)
    {
        Producer? producer = null;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            RabbitMqConnection.Parse(rabbitMq).Configure(cfg);
            cfg.ReceiveEndpoint(new TemporaryEndpointDefinition(), endpoint =>
            {
                endpoint.Handler<ImageDescribed>(context => producer!.Record(context.Message.ImageId, context.Message.TimingsMs, failure: null));
                endpoint.Handler<ImageDescriptionFailed>(context => producer!.Record(context.Message.ImageId, new Dictionary<string, double>(), $"{context.Message.Reason}: {context.Message.Message}"));
            });
        });
        producer = new Producer(bus, RabbitMqConnection.Parse(rabbitMq));
        await bus.StartAsync(cancellationToken);
        return producer;
    }

    public Task SendAsync(string queue, string imageId, byte[] bytes, CancellationToken cancellationToken) =>
        SendAsync(queue, imageId, ImageSource.Inline(bytes), cancellationToken);

    public async Task SendAsync(string queue, string imageId, ImageSource source, CancellationToken cancellationToken)
    {
        var endpoint = await new InputQueueEndpoint(_rabbit, queue).GetAsync(_bus, cancellationToken);
        _sent[imageId] = Stopwatch.GetTimestamp();
        await endpoint.Send(new ImageUploaded(imageId, "bench", source), cancellationToken);
    }

    /// <summary>Waits until every id has a result; throws after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(IReadOnlyCollection<string> imageIds, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (imageIds.Any(id => !_results.ContainsKey(id)))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new BenchmarkException($"{imageIds.Count(id => !_results.ContainsKey(id))} of {imageIds.Count} images had no result after {timeout.TotalSeconds:F0} s.");
            }

            await Task.Delay(5, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync() => await _bus.StopAsync();

    private Task Record(string imageId, IReadOnlyDictionary<string, double> timings, string? failure)
    {
        var now = Stopwatch.GetTimestamp();
        if (_sent.TryGetValue(imageId, out var sent))
        {
            _results.TryAdd(imageId, new Result(sent, now, timings, failure));
        }

        return Task.CompletedTask;
    }

    /// <param name="Sent">Stopwatch timestamps.</param>
    /// <param name="Failure">The failure's reason and message; null when the image was described.</param>
    internal sealed record Result(long Sent, long Received, IReadOnlyDictionary<string, double> TimingsMs, string? Failure)
    {
        public bool Failed => Failure is not null;

        public double LatencyMs => Stopwatch.GetElapsedTime(Sent, Received).TotalMilliseconds;
    }
}
