using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Worker.Hosting;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Tests.Integration.Infrastructure;

/// <summary>
/// The real worker host (same service registration as Program.cs) on its own database, queue and blob container,
/// recording the size of every batch its consumer received.
/// </summary>
public sealed class WorkerUnderTest : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly MeterListener _listener = new();

    private readonly PipelineServices _services;
    private readonly string _database;

    private WorkerUnderTest(IHost host, string queueName, PipelineServices services, string database)
    {
        _host = host;
        _services = services;
        _database = database;
        QueueName = queueName;
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this host's meter: other hosts in the same test process record into their own.
            if (instrument.Meter.Scope == meters && instrument.Name == "pipeline.batch.size")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, size, _, _) =>
        {
            BatchSizes.Add(size);
            BatchStarts.Enqueue(Stopwatch.GetTimestamp());
        });
        _listener.Start();
    }

    public string QueueName { get; }

    public ConcurrentBag<int> BatchSizes { get; } = [];

    /// <summary>When each batch attempt began (<see cref="Stopwatch"/> timestamps): a retry is a new attempt.</summary>
    public ConcurrentQueue<long> BatchStarts { get; } = new();

    public static async Task<WorkerUnderTest> StartAsync(
        PipelineServices services,
        string databaseConnectionString,
        int maxBatchSize,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var queueName = "image-uploaded-test-" + Guid.NewGuid().ToString("N")[..8];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = databaseConnectionString,
            ["ConnectionStrings:RabbitMq"] = services.Endpoints.RabbitMq,
            ["ConnectionStrings:Blobs"] = services.Endpoints.Blobs,
            ["Batching:QueueName"] = queueName,
            ["Batching:MaxBatchSize"] = maxBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Batching:TimeLimitMs"] = "500",
            ["Models:ImageEmbedder:Path"] = services.StandInClipFolder,
            ["Inference:ExecutionProvider"] = "Cpu",
            ["Database:MigrateOnStartup"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.Services.AddPipelineWorker(builder.Configuration);
        var host = builder.Build();
        var worker = new WorkerUnderTest(host, queueName, services, databaseConnectionString);
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await worker.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        _host.Dispose();
        await _services.DeleteQueuesAsync(QueueName).ConfigureAwait(false);
        await _services.DropDatabaseAsync(_database).ConfigureAwait(false);
    }
}
