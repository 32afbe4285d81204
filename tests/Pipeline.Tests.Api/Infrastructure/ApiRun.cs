using Azure.Storage.Blobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Api.Hosting;
using Pipeline.Storage;

namespace Pipeline.Tests.Api.Infrastructure;

/// <summary>
/// One test's API on its own database, queue and blob container, and (when asked) the real worker consuming that
/// queue with the tiny stand-in CLIP and captioner. Everything is removed again at the end.
/// </summary>
public sealed class ApiRun : IAsyncDisposable
{
    public const string Administrator = "admin";
    public const string AliceKey = "alice-key-0123456789abcdef";
    public const string BobKey = "bob-key-0123456789abcdef";

    private readonly PipelineServices _services;
    private readonly IReadOnlyDictionary<string, string?> _workerSettings;
    private readonly List<HttpClient> _clients = [];
    private WorkerUnderTest? _worker;

    private ApiRun(
        PipelineServices services, string database, string queueName, BlobContainerClient container, BlobContainerClient thumbnails, IReadOnlyDictionary<string, string?> workerSettings)
    {
        _services = services;
        _workerSettings = workerSettings;
        Database = database;
        QueueName = queueName;
        Container = container;
        Thumbnails = thumbnails;
    }

    public string Database { get; }

    public string QueueName { get; }

    public BlobContainerClient Container { get; }

    /// <summary>The run's own thumbnails container (the API creates it when it stores the first).</summary>
    public BlobContainerClient Thumbnails { get; }

    public HostFactory<ApiOptions> Factory { get; private set; } = null!;

    /// <summary>The API's settings (configuration paths), for <see cref="Factory"/> or an API process.</summary>
    public IReadOnlyDictionary<string, string?> ApiSettings { get; private set; } = null!;

    /// <param name="withWorker">False: the queue only collects the announcements until <see cref="StartWorkerAsync"/>.</param>
    /// <param name="api">Settings of the API beyond the defaults here.</param>
    /// <param name="worker">Settings of the worker beyond the stand-in CLIP and captioner.</param>
    /// <param name="apiForContainer">Settings of the API that name this run's container (given its name).</param>
    public static async Task<ApiRun> StartAsync(
        PipelineServices services,
        CancellationToken cancellationToken,
        bool withWorker = true,
        IReadOnlyDictionary<string, string?>? api = null,
        IReadOnlyDictionary<string, string?>? worker = null,
        Func<string, IReadOnlyDictionary<string, string?>>? apiForContainer = null)
    {
        var database = await services.CreateDatabaseAsync(cancellationToken);
        await MigrateAsync(database, cancellationToken);
        var queueName = "api-test-" + Guid.NewGuid().ToString("N")[..12];
        await BrokerQueues.DeclareAsync(services.Endpoints.RabbitMq, queueName);
        var blobService = new BlobServiceClient(services.Endpoints.Blobs);
        var container = blobService.GetBlobContainerClient("api-test-" + Guid.NewGuid().ToString("N")[..12]);
        await container.CreateAsync(cancellationToken: cancellationToken);
        var thumbnails = blobService.GetBlobContainerClient("api-thumbnails-" + Guid.NewGuid().ToString("N")[..12]);

        var workerSettings = new Dictionary<string, string?>
        {
            ["Batching:QueueName"] = queueName,
            ["Models:Captioner:Path"] = services.StandInCaptionerFolder,
            ["Models:Captioner:Variant"] = "fp32",
            ["Imaging:StoredSettingsRefreshMs"] = "0",
        };
        foreach (var (key, value) in worker ?? new Dictionary<string, string?>())
        {
            workerSettings[key] = value;
        }

        var run = new ApiRun(services, database, queueName, container, thumbnails, workerSettings);
        if (withWorker)
        {
            await run.StartWorkerAsync(cancellationToken);
        }

        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = database,
            ["ConnectionStrings:RabbitMq"] = services.Endpoints.RabbitMq,
            ["ConnectionStrings:Blobs"] = services.Endpoints.Blobs,
            ["Api:Container"] = container.Name,
            ["Api:Thumbnails:Container"] = thumbnails.Name,
            ["Api:QueueName"] = queueName,
            ["Api:DescribeTimeoutSeconds"] = "120",
            ["Api:Owners:TrustOwnerHeader"] = "true",
            ["Api:Owners:ApiKeys:0:Key"] = AliceKey,
            ["Api:Owners:ApiKeys:0:Owner"] = "alice",
            ["Api:Owners:ApiKeys:1:Key"] = BobKey,
            ["Api:Owners:ApiKeys:1:Owner"] = "bob",
            ["Api:SettingsAdministrators:0"] = Administrator,
            ["Models:ImageEmbedder:Path"] = services.StandInClipFolder,
            ["Inference:ExecutionProvider"] = "Cpu",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in (api ?? new Dictionary<string, string?>()).Concat(apiForContainer?.Invoke(container.Name) ?? new Dictionary<string, string?>()))
        {
            settings[key] = value;
        }

        run.ApiSettings = settings;
        run.Factory = new HostFactory<ApiOptions>(settings);
        return run;
    }

    /// <summary>The real worker on this run's database and queue.</summary>
    public async Task StartWorkerAsync(CancellationToken cancellationToken) =>
        _worker = await WorkerUnderTest.StartAsync(_services, Database, 5, cancellationToken, _workerSettings);

    /// <summary>A client acting for <paramref name="owner"/> through the X-Owner-Id header (null: no owner at all).</summary>
    public HttpClient ClientFor(string? owner)
    {
        var client = Factory.CreateClient();
        if (owner is not null)
        {
            client.DefaultRequestHeaders.Add("X-Owner-Id", owner);
        }

        _clients.Add(client);
        return client;
    }

    public HttpClient ClientWithKey(string apiKey)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        _clients.Add(client);
        return client;
    }

    public Task<List<string>> BlobNamesAsync(CancellationToken cancellationToken) => NamesAsync(Container, cancellationToken);

    /// <summary>The thumbnails stored so far (none while the container has not been made).</summary>
    public async Task<List<string>> ThumbnailNamesAsync(CancellationToken cancellationToken) =>
        await Thumbnails.ExistsAsync(cancellationToken) ? await NamesAsync(Thumbnails, cancellationToken) : [];

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Factory.DisposeAsync();
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        await _services.DeleteQueuesAsync(QueueName);
        await _services.DropDatabaseAsync(Database);
        await Container.DeleteIfExistsAsync();
        await Thumbnails.DeleteIfExistsAsync();
    }

    private static async Task<List<string>> NamesAsync(BlobContainerClient container, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    private static async Task MigrateAsync(string database, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection().AddPipelineStorage(database).BuildServiceProvider();
        await using (services)
        {
            var contexts = services.GetRequiredService<IDbContextFactory<PipelineDbContext>>();
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
        }
    }
}
