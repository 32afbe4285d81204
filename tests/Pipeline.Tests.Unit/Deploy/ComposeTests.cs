using static Pipeline.Tests.Unit.Deploy.DeployFiles;

namespace Pipeline.Tests.Unit.Deploy;

/// <summary>
/// docker-compose.yml against the application: what each container needs is set, the models the services load are
/// the ones setup fetches, start-up order and shutdown time hold. `docker-compose config` (scripts/test.sh) checks the
/// file's schema; these check its meaning.
/// </summary>
public sealed class ComposeTests
{
    private static readonly string[] Infrastructure = ["postgres", "rabbitmq", "azurite"];
    private static readonly string[] Workers = ["worker", "worker-gpu"];

    private readonly Dictionary<object, object?> _services = Map(At(LoadYaml("docker-compose.yml").Single(), "services"), "services");

    [Fact]
    public void EveryBuiltServiceNamesADockerfileOfTheRepository()
    {
        var built = _services.Where(s => At(s.Value, "build") is not null).ToDictionary(s => (string)s.Key, s => s.Value);

        Assert.Equal(["api", "setup", "worker", "worker-gpu"], built.Keys.Order(StringComparer.Ordinal));
        Assert.All(built.Values, service =>
        {
            Assert.Equal(".", Text(service, "build.context"));
            Assert.Contains(Text(service, "build.dockerfile"), Dockerfiles());
        });
        Assert.Equal("deploy/worker.gpu.Dockerfile", Text(_services["worker-gpu"], "build.dockerfile"));
    }

    [Fact]
    public void EveryApplicationServiceGetsTheConnectionStringsItsAppRequires()
    {
        foreach (var (service, project) in new[] { ("worker", "Pipeline.Worker"), ("worker-gpu", "Pipeline.Worker"), ("api", "Pipeline.Api") })
        {
            var environment = Environment(At(_services[service], "environment"));
            Assert.All(ConnectionStringVariables(project), name => Assert.False(string.IsNullOrWhiteSpace(environment.GetValueOrDefault(name)), $"{service}: {name} is not set"));
            Assert.False(string.IsNullOrWhiteSpace(environment.GetValueOrDefault("Models__ImageEmbedder__Path")), $"{service}: no CLIP model");
        }

        Assert.StartsWith("Host=postgres;", Environment(At(_services["setup"], "environment"))["ConnectionStrings__Postgres"], StringComparison.Ordinal);
    }

    [Fact]
    public void TheModelsTheServicesLoadAreTheSetsSetupFetches()
    {
        var command = string.Join(' ', List(At(_services["setup"], "command"), "setup.command").Cast<string>());
        var fetched = ModelIds(command, "fetch");
        Assert.Equal(fetched, ModelIds(command, "verify"));
        Assert.Subset(ManifestModelIds().ToHashSet(), fetched.ToHashSet());

        var setupVolume = Volumes(_services["setup"]).Single(v => v.Target == "/models");
        Assert.False(setupVolume.ReadOnly);
        foreach (var service in Workers.Append("api"))
        {
            var paths = Environment(At(_services[service], "environment")).Where(e => e.Key.EndsWith("__Path", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(paths);
            Assert.All(paths, p => Assert.Contains(ModelIdOf(p.Value!), fetched));
            var models = Volumes(_services[service]).Single(v => v.Target == "/models");
            Assert.Equal((setupVolume.Source, true), (models.Source, models.ReadOnly));
        }
    }

    [Fact]
    public void TheApplicationStartsAfterSetupAndOnHealthyInfrastructure()
    {
        Assert.All(Infrastructure, name => Assert.NotNull(At(_services[name], "healthcheck.test")));
        Assert.Equal("service_healthy", Text(_services["setup"], "depends_on.postgres.condition"));
        foreach (var service in Workers.Append("api"))
        {
            Assert.Equal("service_completed_successfully", Text(_services[service], "depends_on.setup.condition"));
            Assert.All(Infrastructure, name => Assert.Equal("service_healthy", Text(_services[service], $"depends_on.{name}.condition")));
            Assert.Contains("/health/ready", string.Join(' ', List(At(_services[service], "healthcheck.test"), "healthcheck.test").Cast<string>()), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void WorkersGetMoreTimeToStopThanTheirShutdownTimeout()
    {
        var shutdown = AppSetting("Pipeline.Worker", "Shutdown:TimeoutSeconds").GetInt32();
        foreach (var worker in Workers)
        {
            var grace = Text(_services[worker], "stop_grace_period") ?? "10s";
            Assert.EndsWith("s", grace, StringComparison.Ordinal);
            Assert.True(int.Parse(grace[..^1], System.Globalization.CultureInfo.InvariantCulture) > shutdown, $"{worker}: stop_grace_period {grace} <= Shutdown:TimeoutSeconds {shutdown}");
        }
    }

    [Fact]
    public void TheGpuProfileRunsTheGpuImageOnAReservedDevice()
    {
        Assert.Null(At(_services["worker"], "profiles"));
        Assert.Equal(["gpu"], List(At(_services["worker-gpu"], "profiles"), "profiles"));
        var device = Map(List(At(_services["worker-gpu"], "deploy.resources.reservations.devices"), "devices").Single(), "device");
        Assert.Equal("nvidia", device["driver"]);
        Assert.Contains("gpu", List(device["capabilities"], "capabilities"));
    }

    [Fact]
    public void TheInfrastructureKeepsWhatServicesShRelies()
    {
        // deploy/local/services.sh starts these three by name and exports the PIPELINE_*_PORT variables for them.
        Assert.All(Infrastructure, name => Assert.Null(At(_services[name], "profiles")));
        Assert.Contains("${PIPELINE_PG_PORT:-5432}:5432", Ports("postgres"), StringComparison.Ordinal);
        Assert.Contains("${PIPELINE_RABBIT_PORT:-5672}:5672", Ports("rabbitmq"), StringComparison.Ordinal);
        Assert.Contains("${PIPELINE_RABBIT_MGMT_PORT:-15672}:15672", Ports("rabbitmq"), StringComparison.Ordinal);
        Assert.Contains("${PIPELINE_BLOB_PORT:-10000}:10000", Ports("azurite"), StringComparison.Ordinal);
    }

    private string Ports(string service) => string.Join(' ', List(At(_services[service], "ports"), "ports").Cast<string>());

    /// <summary>Short-syntax volumes: <c>source:target[:ro]</c>, where the source may be <c>${VAR:-default}</c>.</summary>
    private static IEnumerable<(string Source, string Target, bool ReadOnly)> Volumes(object? service) =>
        List(At(service, "volumes"), "volumes").Cast<string>().Select(volume =>
        {
            var end = volume.StartsWith("${", StringComparison.Ordinal) ? volume.IndexOf('}', StringComparison.Ordinal) + 1 : volume.IndexOf(':', StringComparison.Ordinal);
            var rest = volume[(end + 1)..].Split(':');
            return (volume[..end], rest[0], rest.Length > 1 && rest[1] == "ro");
        });
}
