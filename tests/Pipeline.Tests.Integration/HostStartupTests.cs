using Pipeline.Inference.Runtime;
using Pipeline.Tests.Integration.Infrastructure;

namespace Pipeline.Tests.Integration;

/// <summary>
/// The worker and the API started as the README starts them: a mistake in their settings is one line per problem on
/// standard error and exit code 2, before anything starts; a relative model path starts at the repository root.
/// </summary>
public sealed class HostStartupTests(PipelineServices services)
{
    [Theory]
    [InlineData("Pipeline.Worker")]
    [InlineData("Pipeline.Api")]
    public async Task AModelFolderThatIsNotThereIsOneLineNamingTheSettingAndThePathLookedFor(string host)
    {
        var run = await Program(host).RunAsync(Environment(("Models__ImageEmbedder__Path", "models/cache/no-such-clip")), [], TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(
            $"{host}: Models:ImageEmbedder:Path: no model folder at {Path.Combine(ModelFolders.BaseFolder, "models", "cache", "no-such-clip")} " +
            $"(relative paths start at {ModelFolders.BaseFolder}). Fetch the model (pipeline models fetch) or generate a stand-in, or leave the setting empty to run without it.",
            run.FirstErrorLine);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Pipeline.Worker")]
    [InlineData("Pipeline.Api")]
    public async Task AMissingConnectionStringIsOneLineAndExit2(string host)
    {
        var environment = Environment();
        environment.Remove("ConnectionStrings__Postgres");

        var run = await Program(host).RunAsync(environment, [], TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"{host}: ConnectionStrings:Postgres is not set (environment variable ConnectionStrings__Postgres); see docs/OPERATIONS.md, Configuration.", run.FirstErrorLine);
    }

    [Fact]
    public async Task AQueryTowerPairedWithAnotherImageTowerStopsTheApiNamingBoth()
    {
        var environment = Environment(
            ("Models__ImageEmbedder__Path", services.StandInClipFolder),
            ("Models__ImageEmbedder__ModelId", "clip-vit-large-patch14"),
            ("Models__QueryEmbedder__Path", services.StandInMClipFolder));

        var run = await BuiltProgram.Api.RunAsync(environment, [], TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith(
            $"Pipeline.Api: Models:QueryEmbedder ({services.StandInMClipFolder}) queries vectors of stand-in/clip-vit-base-patch32, stand-in/immich-ViT-B-32__openai, but Models:ImageEmbedder is 'clip-vit-large-patch14'",
            run.FirstErrorLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThumbnailSettingsOutOfRangeOrNamingTheUploadContainerStopTheApiBeforeItStarts()
    {
        var environment = Environment(("Api__Thumbnails__MaxConcurrentRenders", "0"), ("Api__Thumbnails__Container", "images"));

        var run = await BuiltProgram.Api.RunAsync(environment, [], TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("'MaxConcurrentRenders' with the error: 'The field MaxConcurrentRenders must be between 1 and 64.'", run.Error, StringComparison.Ordinal);
        Assert.Contains("Api:Thumbnails:Container must not be Api:Container", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ARelativeModelPathStartsAtTheRepositoryRootWhereverTheProcessStarts()
    {
        Assert.True(File.Exists(Path.Combine(ModelFolders.BaseFolder, "models", "manifest.json")));
        Assert.Equal(Path.Combine(ModelFolders.BaseFolder, ".local", "models", "clip"), ModelFolders.Resolve(".local/models/clip"));
        Assert.Equal("/opt/models/clip", ModelFolders.Resolve("/opt/models/clip"));
        Assert.Equal("", ModelFolders.Resolve("  "));
    }

    private static BuiltProgram Program(string host) => host == "Pipeline.Api" ? BuiltProgram.Api : BuiltProgram.Worker;

    private Dictionary<string, string?> Environment(params (string Name, string Value)[] settings)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Postgres"] = services.Endpoints.Postgres,
            ["ConnectionStrings__RabbitMq"] = services.Endpoints.RabbitMq,
            ["ConnectionStrings__Blobs"] = services.Endpoints.Blobs,
            ["Http__Urls"] = $"http://127.0.0.1:{Pipeline.Testing.TcpPorts.Free()}",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Pipeline.Testing.TcpPorts.Free()}",
            ["Api__Owners__TrustOwnerHeader"] = "true",
        };
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        return environment;
    }
}
