using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Worker.Hosting;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Testing;

/// <summary>
/// The real worker host (same service registration as Program.cs) on its own database, queue and blob container,
/// recording the size of every batch its consumer received and how many blobs its watcher announced. It can be
/// restarted as a new host on the same database and queue, as a redeployed worker would be.
/// </summary>
public sealed class WorkerUnderTest : IAsyncDisposable
{
    private readonly MeterListener _listener = new();
    private readonly PipelineServices _services;
    private readonly string _database;
    private readonly bool _ownsDatabase;
    private readonly Dictionary<string, string?> _settings;
    private IHost _host;
    private IMeterFactory _meters;
    private long _announced;
    private bool _disposed;

    private WorkerUnderTest(IHost host, string queueName, PipelineServices services, string database, bool ownsDatabase, Dictionary<string, string?> settings)
    {
        _host = host;
        _meters = host.Services.GetRequiredService<IMeterFactory>();
        _services = services;
        _database = database;
        _ownsDatabase = ownsDatabase;
        _settings = settings;
        QueueName = queueName;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only the current host's meter: other hosts in the same test process record into their own.
            if (instrument.Meter.Scope == _meters && instrument.Name is "pipeline.batch.size" or "pipeline.watch.announced")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, size, _, _) =>
        {
            BatchSizes.Add(size);
            BatchStarts.Enqueue(Stopwatch.GetTimestamp());
        });
        _listener.SetMeasurementEventCallback<long>((_, count, _, _) => Interlocked.Add(ref _announced, count));
        _listener.Start();
    }

    public string QueueName { get; }

    public ConcurrentBag<int> BatchSizes { get; } = [];

    /// <summary>When each batch attempt began (<see cref="Stopwatch"/> timestamps): a retry is a new attempt.</summary>
    public ConcurrentQueue<long> BatchStarts { get; } = new();

    /// <summary>Blobs announced by this worker's watcher, over all its hosts.</summary>
    public long Announced => Interlocked.Read(ref _announced);

    /// <param name="ownsDatabase">False when other workers share the database: the test drops it.</param>
    public static async Task<WorkerUnderTest> StartAsync(
        PipelineServices services,
        string databaseConnectionString,
        int maxBatchSize,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? overrides = null,
        bool ownsDatabase = true)
    {
        var queueName = "image-uploaded-test-" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?>
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
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var worker = new WorkerUnderTest(Build(settings), settings["Batching:QueueName"]!, services, databaseConnectionString, ownsDatabase, settings);
        try
        {
            await worker._host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await worker.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return worker;
    }

    /// <summary>Stops the host, runs <paramref name="whileStopped"/>, then starts a new host with the same settings.</summary>
    public async Task RestartAsync(Func<Task> whileStopped, CancellationToken cancellationToken)
    {
        await _host.StopAsync(cancellationToken).ConfigureAwait(false);
        _host.Dispose();
        await whileStopped().ConfigureAwait(false);
        _host = Build(_settings);
        _meters = _host.Services.GetRequiredService<IMeterFactory>();
        await _host.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _listener.Dispose();
        await _host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        _host.Dispose();
        await _services.DeleteQueuesAsync(QueueName).ConfigureAwait(false);
        if (_ownsDatabase)
        {
            await _services.DropDatabaseAsync(_database).ConfigureAwait(false);
        }
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddPipelineWorker(builder.Configuration);
        return builder.Build();
    }
}
