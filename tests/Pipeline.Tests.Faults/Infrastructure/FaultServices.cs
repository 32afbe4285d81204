using System.Reflection;
using Pipeline.StandInModels;
using Pipeline.StandInModels.Captioner;

[assembly: AssemblyFixture(typeof(Pipeline.Tests.Faults.Infrastructure.FaultServices))]

namespace Pipeline.Tests.Faults.Infrastructure;

/// <summary>
/// What every fault test shares: a private Postgres and a private RabbitMQ (which the tests may stop, kill and
/// restart), the shared Azurite (from the environment, as deploy/local/services.sh writes it), tiny stand-in models,
/// and the paths of the built worker and CLI. The tests of this project run one at a time (xunit.runner.json).
/// </summary>
public sealed class FaultServices : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pipeline-faults-" + Guid.NewGuid().ToString("N")[..12]);
    private PrivatePostgres? _postgres;
    private PrivateRabbitMq? _rabbitMq;

    internal PrivatePostgres Postgres => _postgres ?? throw new InvalidOperationException("Not initialised.");

    internal PrivateRabbitMq RabbitMq => _rabbitMq ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>Azure Storage connection string of the shared Azurite.</summary>
    public string Blobs { get; } = Environment.GetEnvironmentVariable("ConnectionStrings__Blobs") is { Length: > 0 } blobs
        ? blobs
        : throw new InvalidOperationException("ConnectionStrings__Blobs is not set: run 'deploy/local/services.sh up' and '. .local/services.env' (scripts/test.sh does both).");

    public string ClipFolder => Path.Combine(_root, "models", "clip");

    public string CaptionerFolder => Path.Combine(_root, "models", "captioner");

    /// <summary>The real PP-OCRv4 weights, fetched by <c>pipeline models fetch ppocr-v4</c> (scripts/test.sh does).</summary>
    public static string OcrFolder
    {
        get
        {
            var folder = Path.Combine(RepositoryRoot, "models", "cache", "ppocr-v4");
            return File.Exists(Path.Combine(folder, "model.lock.json"))
                ? folder
                : throw new InvalidOperationException($"The OCR models are not in {folder}: run 'pipeline models fetch ppocr-v4' (scripts/test.sh does).");
        }
    }

    public static string WorkerDll => BuiltOutput("Pipeline.Worker", "Pipeline.Worker.dll");

    public static string CliDll => BuiltOutput("Pipeline.Cli", "pipeline.dll");

    /// <summary>Where the workers' logs go, one file per process, kept after the run.</summary>
    public static string LogFolder { get; } = Path.Combine(Path.GetTempPath(), "pipeline-faults-logs");

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var postgres = PrivatePostgres.StartAsync(Path.Combine(_root, "pg"), cancellationToken);
        var rabbitMq = PrivateRabbitMq.StartAsync(Path.Combine(_root, "rabbit"), cancellationToken);
        ClipStandIn.Write(ClipFolder, new ClipStandInOptions { Layout = ClipStandInLayout.Xenova });
        CaptionerStandIn.Write(CaptionerFolder, new CaptionerStandInOptions { Layout = CaptionerLayout.VitGpt2 });
        _postgres = await postgres.ConfigureAwait(false);
        _rabbitMq = await rabbitMq.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_rabbitMq is not null)
        {
            await _rabbitMq.DisposeAsync().ConfigureAwait(false);
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }

        Directory.Delete(_root, recursive: true);
    }

    private static string BuiltOutput(string project, string file)
    {
        var configuration = typeof(FaultServices).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Configuration").Value!;
        var path = Path.Combine(RepositoryRoot, "src", project, "bin", configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is not built: dotnet build tests/Pipeline.Tests.Faults -c {configuration}.");
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Pipeline.sln above {AppContext.BaseDirectory}.");
    }
}
