using Pipeline.Testing;
using Pipeline.Tests.Integration.Infrastructure;

namespace Pipeline.Tests.Integration.Cli;

/// <summary>
/// Ordinary mistakes give one line that says what failed and what to do, and a documented exit code (docs/OPERATIONS.md, Command
/// line); a stack trace only with --verbose.
/// </summary>
public sealed class CliErrorTests(PipelineServices services)
{
    [Fact]
    public async Task AMissingConnectionStringVariableIsOneLineAndExit2()
    {
        var run = await RunAsync(new Dictionary<string, string?>(), "migrate");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            "error: ConnectionStrings__Postgres is not set; it is needed to reach the database. For the local services: deploy/local/services.sh up, then . .local/services.env",
            run.FirstErrorLine);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongPostgresPasswordIsOneLineAndExit3()
    {
        var wrong = new Npgsql.NpgsqlConnectionStringBuilder(services.Endpoints.Postgres) { Password = "not-the-password" }.ConnectionString;

        var run = await RunAsync(Environment(postgres: wrong), "status");

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("error: Postgres refused the login (28P01: password authentication failed for user ", run.FirstErrorLine, StringComparison.Ordinal);
        Assert.EndsWith("check Username and Password in ConnectionStrings__Postgres.", run.FirstErrorLine, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgresNotRunningIsOneLineAndExit3()
    {
        var closed = new Npgsql.NpgsqlConnectionStringBuilder(services.Endpoints.Postgres) { Port = TcpPorts.Free() }.ConnectionString;

        var run = await RunAsync(Environment(postgres: closed), "migrate");

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("error: Cannot reach Postgres (", run.FirstErrorLine, StringComparison.Ordinal);
        Assert.Contains("Connection refused", run.FirstErrorLine, StringComparison.Ordinal);
        Assert.EndsWith("start it (deploy/local/services.sh up) or check Host and Port in ConnectionStrings__Postgres.", run.FirstErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RabbitMqNotRunningIsOneLineAndExit3BeforeAnythingIsUploaded()
    {
        using var folder = new TempFolder();
        await File.WriteAllBytesAsync(folder.Sub("a.png"), TinyPng(), TestContext.Current.CancellationToken);
        var container = "cli-errors-" + Guid.NewGuid().ToString("N")[..8];

        var run = await RunAsync(Environment(rabbitMq: $"amqp://guest:guest@127.0.0.1:{TcpPorts.Free()}/"), "ingest", folder.Path, "--container", container);

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("error: Cannot reach RabbitMQ (", run.FirstErrorLine, StringComparison.Ordinal);
        Assert.EndsWith("start it (deploy/local/services.sh up) or check ConnectionStrings__RabbitMq.", run.FirstErrorLine, StringComparison.Ordinal);
        var blobs = new Azure.Storage.Blobs.BlobServiceClient(services.Endpoints.Blobs).GetBlobContainerClient(container);
        Assert.False(await blobs.ExistsAsync(TestContext.Current.CancellationToken), "nothing is uploaded when the broker cannot be reached");
    }

    [Fact]
    public async Task AMissingFolderIsOneLineAndExit2()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid().ToString("N"));

        var run = await RunAsync(Environment(), "ingest", missing);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: No folder {missing}: pass a folder of images", run.FirstErrorLine, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task AnEmptySearchIsOneLineAndExit2(string query)
    {
        var run = await RunAsync(Environment(), "search", query);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: search needs words to look for, for example: pipeline search \"a dog on a beach\"", run.FirstErrorLine);
    }

    [Fact]
    public async Task VerboseAddsTheStackTraceBelowTheSameLine()
    {
        var quiet = await RunAsync(new Dictionary<string, string?>(), "migrate");
        var verbose = await RunAsync(new Dictionary<string, string?>(), "migrate", "--verbose");

        Assert.Equal(quiet.FirstErrorLine, verbose.FirstErrorLine);
        Assert.Equal(2, verbose.ExitCode);
        Assert.Contains("Pipeline.Cli.Errors.CliException", verbose.Error, StringComparison.Ordinal);
        Assert.Contains("   at ", verbose.Error, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Environment(string? postgres = null, string? rabbitMq = null) => new()
    {
        ["ConnectionStrings__Postgres"] = postgres ?? services.Endpoints.Postgres,
        ["ConnectionStrings__RabbitMq"] = rabbitMq ?? services.Endpoints.RabbitMq,
        ["ConnectionStrings__Blobs"] = services.Endpoints.Blobs,
    };

    private static Task<ProgramRun> RunAsync(Dictionary<string, string?> environment, params string[] args) =>
        BuiltProgram.Cli.RunAsync(environment, args, TestContext.Current.CancellationToken);

    internal static byte[] TinyPng()
    {
        using var bitmap = new SkiaSharp.SKBitmap(8, 8);
        bitmap.Erase(SkiaSharp.SKColors.CornflowerBlue);
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
