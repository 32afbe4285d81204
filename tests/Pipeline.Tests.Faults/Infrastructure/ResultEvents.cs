using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Tests.Faults.Infrastructure;

/// <summary>One <c>ImageDescribed</c> (<see cref="Reason"/> null) or <c>ImageDescriptionFailed</c> event.</summary>
internal sealed record ResultEvent(string ImageId, string? Reason, JsonElement Message);

/// <summary>
/// A consumer of the result events as another system would run one: a durable queue of its own bound to both result
/// exchanges, read by polling, so that it keeps every event across broker restarts (it reconnects; the queue and the
/// persistent events wait on the broker's disk meanwhile).
/// </summary>
internal sealed class ResultEvents : IAsyncDisposable
{
    public const string DescribedExchange = "Pipeline.Contracts:ImageDescribed";
    public const string FailedExchange = "Pipeline.Contracts:ImageDescriptionFailed";

    private readonly ConnectionFactory _factory;
    private readonly string _queue;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ResultEvent>> _events = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ResultEvents(ConnectionFactory factory, string queue)
    {
        (_factory, _queue) = (factory, queue);
        _loop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Every event received so far, by image id.</summary>
    public IReadOnlyDictionary<string, ConcurrentQueue<ResultEvent>> ByImage => _events;

    public int DistinctImages => _events.Count;

    public static async Task<ResultEvents> StartAsync(ConnectionFactory factory, string queue, CancellationToken cancellationToken)
    {
        await using (var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var exchange in new[] { DescribedExchange, FailedExchange })
            {
                // As MassTransit declares its publish exchanges, so that the worker finds them as it expects.
                await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.QueueBindAsync(queue, exchange, "", cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        return new ResultEvents(factory, queue);
    }

    public int CountFor(string imageId) => _events.TryGetValue(imageId, out var events) ? events.Count : 0;

    /// <summary>Waits until at least <paramref name="distinct"/> images have an event.</summary>
    public Task WaitForImagesAsync(int distinct, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitAsync(() => DistinctImages >= distinct, () => $"{DistinctImages} of {distinct} images", timeout, cancellationToken);

    /// <summary>Waits until every id has an event, or fails naming how many (and a few of those) still have none.</summary>
    public Task WaitForAllAsync(IReadOnlyCollection<string> imageIds, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitAsync(
            () => imageIds.All(_events.ContainsKey),
            () =>
            {
                var missing = imageIds.Where(id => !_events.ContainsKey(id)).ToList();
                return $"{missing.Count} of {imageIds.Count} images without an event (e.g. {string.Join(", ", missing.Take(5))})";
            },
            timeout,
            cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static async Task WaitAsync(Func<bool> done, Func<string> state, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"After {timeout.TotalSeconds:F0} s: {state()}.");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _factory.CreateConnectionAsync(_stop.Token).ConfigureAwait(false);
                await using var channel = await connection.CreateChannelAsync(cancellationToken: _stop.Token).ConfigureAwait(false);
                while (!_stop.IsCancellationRequested)
                {
                    if (await channel.BasicGetAsync(_queue, autoAck: true, _stop.Token).ConfigureAwait(false) is { } delivery)
                    {
                        Record(delivery);
                    }
                    else
                    {
                        await Task.Delay(50, _stop.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RabbitMQClientException or IOException or TimeoutException or OperationCanceledException)
            {
                // The broker is away (a test stopped it): try again shortly.
                await Task.Delay(500).ConfigureAwait(false);
            }
        }
    }

    private void Record(BasicGetResult delivery)
    {
        // MassTransit's envelope: the record is under "message".
        using var envelope = JsonDocument.Parse(delivery.Body);
        var message = envelope.RootElement.GetProperty("message").Clone();
        var imageId = message.GetProperty("imageId").GetString()!;
        var reason = delivery.Exchange == FailedExchange ? message.GetProperty("reason").GetString() : null;
        _events.GetOrAdd(imageId, _ => new ConcurrentQueue<ResultEvent>()).Enqueue(new ResultEvent(imageId, reason, message));
    }
}
