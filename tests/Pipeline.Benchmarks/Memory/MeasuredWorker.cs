using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using Pipeline.Benchmarks.EndToEnd;
using Pipeline.Benchmarks.Soak;
using Pipeline.Contracts;
using Pipeline.Messaging;
using Pipeline.Testing;
using RabbitMQ.Client;

namespace Pipeline.Benchmarks.Memory;

/// <summary>
/// One worker process (<c>dotnet Pipeline.Worker.dll</c>, configured by environment variables as deployed) on its own
/// scratch database and queue, optionally inside a memory cgroup with a hard limit, and what is seen of it from
/// outside: its resident memory and parts, its managed heap (<c>/metrics</c>), the rows it has written.
/// </summary>
internal sealed class MeasuredWorker : IAsyncDisposable
{
    private readonly WorkerProcess _process;
    private readonly ServiceConnections _services;
    private readonly string _database;
    private readonly string _queue;
    private readonly ConnectionFactory _rabbit;
    private readonly MemoryCgroup? _cgroup;
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly NpgsqlConnection _rows;
    private int _announced;

    private MeasuredWorker(
        WorkerProcess process, ServiceConnections services, string database, string queue, ConnectionFactory rabbit, MemoryCgroup? cgroup,
        IConnection connection, IChannel channel, NpgsqlConnection rows)
    {
        (_process, _services, _database, _queue, _rabbit, _cgroup) = (process, services, database, queue, rabbit, cgroup);
        (_connection, _channel, _rows) = (connection, channel, rows);
    }

    public int Id => _process.Id;

    public string LogPath => _process.LogPath;

    /// <summary>Lines of the worker's log with an OutOfMemoryException: the managed heap reached its hard limit.</summary>
    public int ManagedOutOfMemory => _process.Lines.Count(line => line.Contains(nameof(OutOfMemoryException), StringComparison.Ordinal));

    /// <summary>Times the kernel killed the worker for going over the cgroup's limit (0 without a cgroup).</summary>
    public long OomKills => _cgroup?.OomKills ?? 0;

    /// <summary>Starts the worker with <paramref name="environment"/> and waits until it is ready (its models loaded).</summary>
    public static async Task<MeasuredWorker> StartAsync(
        ServiceConnections services, IReadOnlyDictionary<string, string> environment, long? limitBytes, CancellationToken cancellationToken)
    {
        var root = ModelFolders.RepositoryRoot();
        var id = Guid.NewGuid().ToString("N")[..8];
        var queue = "memory-image-uploaded-" + id;
        var database = new NpgsqlConnectionStringBuilder(services.Postgres) { Database = "memory_" + id }.ConnectionString;
        var rabbit = RabbitMqConnection.Parse(services.RabbitMq).CreateConnectionFactory();
        var connection = await rabbit.CreateConnectionAsync(cancellationToken);
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        await InputQueues.DeclareAsync(channel, queue, cancellationToken);

        var settings = new Dictionary<string, string>(environment)
        {
            ["ConnectionStrings__Postgres"] = database,
            ["ConnectionStrings__RabbitMq"] = services.RabbitMq,
            ["ConnectionStrings__Blobs"] = services.Blobs,
            ["Batching__QueueName"] = queue,
            ["Database__MigrateOnStartup"] = "true",
        };
        var cgroup = limitBytes is { } limit ? MemoryCgroup.Create(limit) : null;
        var process = WorkerProcess.Start(SoakBenchmark.WorkerDll(root), settings, Path.Combine(root, ".local", $"memory-{id}.log"), cgroup?.ProcsFile);
        await process.WaitUntilReadyAsync(cancellationToken);
        var rows = new NpgsqlConnection(database);
        await rows.OpenAsync(cancellationToken);
        return new MeasuredWorker(process, services, database, queue, rabbit, cgroup, connection, channel, rows);
    }

    /// <summary>Sends every picture as an inline <c>ImageUploaded</c>, all at once (the queue holds the backlog).</summary>
    public async Task AnnounceAsync(IReadOnlyList<byte[]> pictures, string prefix, CancellationToken cancellationToken)
    {
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent };
        foreach (var chunk in pictures.Select((bytes, i) => (Bytes: bytes, Index: i)).Chunk(20))
        {
            await Task.WhenAll(chunk.Select(p =>
            {
                var message = new ImageUploaded(Invariant($"{prefix}-{p.Index:D5}"), "memory", ImageSource.Inline(p.Bytes));
                var body = JsonSerializer.SerializeToUtf8Bytes(message, JsonSerializerOptions.Web);
                return _channel.BasicPublishAsync("", _queue, mandatory: true, properties, body, cancellationToken).AsTask();
            }));
        }

        _announced += pictures.Count;
    }

    /// <summary>Rows written so far, and how many of them are failures.</summary>
    public async Task<(long Rows, long Failed)> RowsAsync(CancellationToken cancellationToken)
    {
        await using var count = new NpgsqlCommand("SELECT count(*), count(*) FILTER (WHERE failure_reason IS NOT NULL) FROM images", _rows);
        await using var reader = await count.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>
    /// Waits until every announced picture has its row, calling <paramref name="sample"/> every 250 ms meanwhile;
    /// throws when nothing finished for 3 minutes or the worker exited.
    /// </summary>
    public async Task WaitForAllAsync(Func<Task> sample, CancellationToken cancellationToken)
    {
        var progress = Stopwatch.StartNew();
        var last = -1L;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new BenchmarkException($"The worker exited (OOM kills: {OomKills}); log: {LogPath}\n{_process.Tail()}");
            }

            var (rows, failed) = await RowsAsync(cancellationToken);
            if (failed > 0)
            {
                throw new BenchmarkException($"{failed} pictures failed; log: {LogPath}");
            }

            if (rows >= _announced)
            {
                return;
            }

            if (rows > last)
            {
                (last, progress) = (rows, Stopwatch.StartNew());
            }
            else if (progress.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new BenchmarkException($"No picture finished for 3 minutes ({rows} of {_announced}); log: {LogPath}");
            }

            await sample();
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Starts the peak (VmHWM) over from the current resident set (Linux's <c>clear_refs</c>, 5).</summary>
    public void ResetPeak() => File.WriteAllText($"/proc/{Id}/clear_refs", "5");

    public ProcessMemory Memory() =>
        _process.Memory() ?? throw new BenchmarkException($"The worker exited; log: {LogPath}\n{_process.Tail()}");

    /// <summary>The resident set and its parts now, with the managed heap as of the last collection.</summary>
    public async Task<MemorySnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var parts = ResidentParts.Read(Id) ?? throw new BenchmarkException($"The worker exited; log: {LogPath}");
        var managed = ManagedHeap.Parse(await _process.GetStringAsync("/metrics", cancellationToken));
        return new MemorySnapshot(parts, managed, Memory().PeakResidentMegabytes);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.TerminateAsync(CancellationToken.None);
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(40), CancellationToken.None);
        await _process.DisposeAsync();
        _cgroup?.Dispose();
        await _rows.DisposeAsync();
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
        await SoakBenchmark.CleanUpAsync(_services.Postgres, _database, _rabbit, _queue);
        await using var connection = await _rabbit.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var name in new[] { InputQueues.Isolation(_queue), InputQueues.Error(InputQueues.Isolation(_queue)) })
        {
            await channel.QueueDeleteAsync(name);
            await channel.ExchangeDeleteAsync(name);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The resident set's parts at one moment, the managed heap as of the last collection, and the peak so far (MiB).</summary>
internal sealed record MemorySnapshot(ResidentParts Parts, ManagedHeap Managed, double Peak)
{
    /// <summary>Anonymous memory neither malloc's heaps nor the GC's: ONNX Runtime's weights and arenas, bitmaps.</summary>
    public double NativeLarge => Parts.OtherAnonymous - ManagedCommitted;

    /// <summary>Everything resident but the managed heap: code, weights, native buffers.</summary>
    public double Native => Parts.Resident - ManagedCommitted;

    private double ManagedCommitted => double.IsNaN(Managed.Committed) ? 0 : Managed.Committed;
}
