using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Pipeline.Messaging;
using Pipeline.Worker.Hosting;
using RabbitMQ.Client;

namespace Pipeline.Benchmarks.EndToEnd;

/// <summary>Worker settings one measurement runs with.</summary>
/// <param name="ConcurrentPasses">Forward passes at once; 0 = the worker's default.</param>
internal sealed record WorkerSettings(int MaxBatchSize, int ConcurrentBatches, int MaxQueueDelayMs, int TimeLimitMs, int ConcurrentPasses)
{
    /// <summary>The shipped defaults at the given batch size.</summary>
    public static WorkerSettings Batched(int maxBatchSize) => new(maxBatchSize, 3, 100, 5, 0);

    /// <summary>Like the original server: one image per request, nothing overlapped, one forward pass over every core.</summary>
    public static WorkerSettings Sequential { get; } = new(1, 1, 0, 1, 1);
}

/// <summary>The real worker host (Program.cs's registration) in this process, on a scratch database and queue.</summary>
internal sealed class BenchWorker : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string _adminConnection;
    private readonly string _database;
    private readonly string _rabbitMq;

    private readonly MeterListener _listener = new();

    private BenchWorker(IHost host, string adminConnection, string database, string rabbitMq, string queue)
    {
        (_host, _adminConnection, _database, _rabbitMq) = (host, adminConnection, database, rabbitMq);
        Queue = queue;
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name is "pipeline.inference.batch.size" or "pipeline.batch.size")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, size, _, _) =>
            (instrument.Name == "pipeline.batch.size" ? ConsumedBatchSizes : PassSizes).Enqueue(size));
        _listener.Start();
    }

    public string Queue { get; }

    /// <summary>Images in each forward pass, in order.</summary>
    public ConcurrentQueue<int> PassSizes { get; } = new();

    /// <summary>Messages in each consumed batch, in order.</summary>
    public ConcurrentQueue<int> ConsumedBatchSizes { get; } = new();

    public static async Task<BenchWorker> StartAsync(
        ServiceConnections services, string captionerFolder, int maxNewTokens, WorkerSettings settings,
        IReadOnlyDictionary<string, string?> overrides, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var database = "bench_" + id;
        var queue = "bench-image-uploaded-" + id;
        await using (var admin = new NpgsqlConnection(services.Postgres))
        {
            await admin.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Benchmark" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(services.Postgres) { Database = database }.ConnectionString,
            ["ConnectionStrings:RabbitMq"] = services.RabbitMq,
            ["ConnectionStrings:Blobs"] = services.Blobs,
            ["Batching:QueueName"] = queue,
            ["Batching:MaxBatchSize"] = Invariant(settings.MaxBatchSize),
            ["Batching:ConcurrentBatches"] = Invariant(settings.ConcurrentBatches),
            ["Batching:MaxQueueDelayMs"] = Invariant(settings.MaxQueueDelayMs),
            ["Batching:TimeLimitMs"] = Invariant(settings.TimeLimitMs),
            ["Inference:ConcurrentPasses"] = Invariant(settings.ConcurrentPasses),
            ["Models:Captioner:Path"] = captionerFolder,
            ["Models:Captioner:Variant"] = "quantized",
            ["Models:Captioner:NumBeams"] = "1",
            ["Models:Captioner:MaxLength"] = Invariant(1 + maxNewTokens),
            ["Inference:ExecutionProvider"] = "Cpu",
            ["Database:MigrateOnStartup"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "None",
        });
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Services.AddPipelineWorker(builder.Configuration);
        var host = builder.Build();
        var worker = new BenchWorker(host, services.Postgres, database, services.RabbitMq, queue);
        await host.StartAsync(cancellationToken);
        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        NpgsqlConnection.ClearAllPools();
        await using (var admin = new NpgsqlConnection(_adminConnection))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        await using var connection = await RabbitMqConnection.Parse(_rabbitMq).CreateConnectionFactory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var name in new[] { Queue, Queue + "_error", Queue + "_skipped" })
        {
            await channel.QueueDeleteAsync(name);
            await channel.ExchangeDeleteAsync(name);
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The services' connection strings from the environment (<c>. .local/services.env</c>).</summary>
internal sealed record ServiceConnections(string Postgres, string RabbitMq, string Blobs)
{
    public static ServiceConnections? FromEnvironment()
    {
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
        var rabbitMq = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        var blobs = Environment.GetEnvironmentVariable("ConnectionStrings__Blobs");
        return string.IsNullOrEmpty(postgres) || string.IsNullOrEmpty(rabbitMq) || string.IsNullOrEmpty(blobs)
            ? null
            : new ServiceConnections(postgres, rabbitMq, blobs);
    }
}
