using Azure.Storage.Blobs;
using Pipeline.Testing;
using RabbitMQ.Client;

namespace Pipeline.Tests.Faults.Infrastructure;

/// <summary>
/// One test's database, input queue, blob container and result listener on the private services, and the worker
/// processes it starts (all configured alike, so a restarted worker carries on where the last one stopped).
/// </summary>
internal sealed class FaultRun : IAsyncDisposable
{
    private readonly FaultServices _services;
    private readonly List<WorkerProcess> _workers = [];

    private FaultRun(FaultServices services, string name, ResultEvents events, BlobContainerClient container)
    {
        _services = services;
        Name = name;
        Events = events;
        Container = container;
    }

    /// <summary>Names the run's database, queue and log files.</summary>
    public string Name { get; }

    public string Database => "fault_" + Name.Replace('-', '_');

    public string Queue => "image-uploaded-" + Name;

    public string DatabaseConnectionString => _services.Postgres.ConnectionString(Database);

    public ConnectionFactory Rabbit => _services.RabbitMq.ConnectionFactory();

    public ResultEvents Events { get; }

    public BlobContainerClient Container { get; }

    /// <summary>Settings every worker of the run gets: private services, its queue and database, tiny stand-ins, no OCR.</summary>
    public Dictionary<string, string> Settings { get; } = [];

    public static async Task<FaultRun> StartAsync(FaultServices services, string scenario, CancellationToken cancellationToken)
    {
        var name = $"{scenario}-{Guid.NewGuid().ToString("N")[..6]}";
        var factory = services.RabbitMq.ConnectionFactory();
        await Broker.DeclareQueueAsync(factory, "image-uploaded-" + name, cancellationToken);
        var events = await ResultEvents.StartAsync(factory, $"results-{name}", cancellationToken);
        var container = new BlobServiceClient(services.Blobs).GetBlobContainerClient("fault-" + name);
        await container.CreateAsync(cancellationToken: cancellationToken);
        var run = new FaultRun(services, name, events, container);
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = run.DatabaseConnectionString,
            ["ConnectionStrings__RabbitMq"] = services.RabbitMq.ConnectionString,
            ["ConnectionStrings__Blobs"] = services.Blobs,
            ["Batching__QueueName"] = run.Queue,
            ["Models__ImageEmbedder__Path"] = services.ClipFolder,
            ["Models__Captioner__Path"] = services.CaptionerFolder,
            ["Ocr__Path"] = "",
            ["Inference__ExecutionProvider"] = "Cpu",
            ["Database__MigrateOnStartup"] = "true",
            ["Logging__LogLevel__Default"] = "Information",
        })
        {
            run.Settings[key] = value;
        }

        return run;
    }

    /// <summary>Starts a worker process with the run's settings plus <paramref name="overrides"/>, in <paramref name="cgroup"/> if given.</summary>
    public WorkerProcess StartWorker(IReadOnlyDictionary<string, string>? overrides = null, MemoryCgroup? cgroup = null)
    {
        var environment = new Dictionary<string, string>(Settings);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var worker = WorkerProcess.Start(
            FaultServices.WorkerDll, environment, Path.Combine(FaultServices.LogFolder, $"{Name}-{_workers.Count + 1}.log"), cgroup?.ProcsFile);
        _workers.Add(worker);
        TestContext.Current.TestOutputHelper?.WriteLine($"worker {_workers.Count} (pid {worker.Id}) logs to {worker.LogPath}");
        return worker;
    }

    public Task PublishAsync(IEnumerable<byte[]> bodies, CancellationToken cancellationToken) =>
        Broker.PublishAsync(Rabbit, Queue, bodies, cancellationToken);

    public Task<Dictionary<string, StoredOutcome>> RowsAsync(CancellationToken cancellationToken) =>
        StoredOutcomes.ReadAsync(DatabaseConnectionString, cancellationToken);

    /// <summary>Every line any of the run's workers wrote.</summary>
    public IEnumerable<string> WorkerLines => _workers.SelectMany(w => w.Lines);

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        await Events.DisposeAsync();
        await Container.DeleteIfExistsAsync();
    }
}
