using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Pipeline.Worker.Device;

/// <summary>
/// Starts and stops <see cref="InferenceScheduler"/> with the host. The scheduler is resolved when the host starts it,
/// not when the host lists its services: resolving it loads the models, which <c>StartupChecks</c> (started first)
/// must be the one to do, so that a model that cannot load is one line naming it.
/// </summary>
internal sealed class InferenceSchedulerHost(IServiceProvider services) : IHostedService
{
    private InferenceScheduler? _scheduler;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _scheduler = services.GetRequiredService<InferenceScheduler>();
        return _scheduler.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _scheduler?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}
