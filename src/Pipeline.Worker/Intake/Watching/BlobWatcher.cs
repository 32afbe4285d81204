using Microsoft.Extensions.Options;
using Pipeline.Sources.Watching;

namespace Pipeline.Worker.Intake.Watching;

/// <summary>
/// Blob-triggered ingestion by polling: every BlobWatch:PollIntervalMs, each watched container whose lock this worker
/// holds (<see cref="ContainerLease"/>) is polled (<see cref="ContainerPoll"/>). Off while BlobWatch:Containers is
/// empty or the interval is 0. Registered after the bus, so it starts once the bus can send.
/// </summary>
public sealed partial class BlobWatcher(
    BlobOwners owners,
    ContainerPoll poll,
    ContainerLeases leases,
    IOptions<BlobWatchOptions> options,
    TimeProvider time,
    ILogger<BlobWatcher> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var containers = owners.Containers.ToList();
        if (containers.Count == 0 || options.Value.PollIntervalMs == 0)
        {
            return Task.CompletedTask;
        }

        return Task.WhenAll(containers.Select(c => WatchAsync(c, stoppingToken)));
    }

    private async Task WatchAsync(WatchedContainer container, CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.PollIntervalMs);
        var lease = leases.Create(container.Name);
        await using (lease.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (await lease.HoldAsync(stoppingToken).ConfigureAwait(false))
                    {
                        await poll.RunAsync(container, stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // Whatever a poll meets (blob store, database or broker away), the next poll tries again.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    LogPollFailed(logger, e, container.Name);
                }

                try
                {
                    await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling container {Container} failed; trying again next poll")]
    private static partial void LogPollFailed(ILogger logger, Exception exception, string container);
}
