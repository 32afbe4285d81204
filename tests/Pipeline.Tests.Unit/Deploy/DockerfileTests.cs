namespace Pipeline.Tests.Unit.Deploy;

/// <summary>
/// deploy/*.Dockerfile against the repository, with the build context docker-compose.yml and the README use (the
/// repository root): sources present and not ignored, non-root final stages, pinned base images, restore layers that
/// copy exactly the projects the published one needs. The broken samples prove each check can fail.
/// </summary>
public sealed class DockerfileTests
{
    public static TheoryData<string> Dockerfiles() => [.. DeployFiles.Dockerfiles()];

    [Fact]
    public void EveryImageHasADockerfile()
    {
        Assert.Equal(
            ["deploy/api.Dockerfile", "deploy/cli.Dockerfile", "deploy/worker.Dockerfile", "deploy/worker.gpu.Dockerfile"],
            DeployFiles.Dockerfiles());
    }

    [Theory]
    [InlineData("deploy/worker.Dockerfile")]
    [InlineData("deploy/worker.gpu.Dockerfile")]
    public void TheWorkerImagesCapTheManagedHeapAboveWhatTheDefaultBatchNeedsAndBoundMalloc(string dockerfile)
    {
        var environment = string.Join(' ', Load(dockerfile).Final.Instructions.Where(i => i.Keyword == "ENV").Select(i => i.Arguments));
        string Variable(string name) => System.Text.RegularExpressions.Regex.Match(environment, name + @"=(\S+)").Groups[1].Value;
        var batch = DeployFiles.AppSetting("Pipeline.Worker", "Batching:MaxBatchSize").GetInt32();
        var batches = DeployFiles.AppSetting("Pipeline.Worker", "Batching:ConcurrentBatches").GetInt32();

        Assert.InRange(Convert.ToInt64(Variable("DOTNET_GCHeapHardLimit"), 16) / 1_048_576, WorkerMemory.HeapFor(batch, batches), 1024);
        Assert.Equal(("131072", "2"), (Variable("MALLOC_MMAP_THRESHOLD_"), Variable("MALLOC_ARENA_MAX")));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void EveryCopySourceIsInTheBuildContext(string dockerfile) =>
        NoProblems(DockerfileChecks.MissingCopySources(Load(dockerfile), DeployFiles.Root));

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void TheImageRunsAsAnUnprivilegedUser(string dockerfile) =>
        NoProblems(DockerfileChecks.RootUser(Load(dockerfile)));

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void BaseImagesArePinnedToATag(string dockerfile) =>
        NoProblems(DockerfileChecks.UnpinnedImages(Load(dockerfile)));

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void TheRestoreLayerCopiesExactlyTheReferencedProjects(string dockerfile) =>
        NoProblems(DockerfileChecks.RestoreLayerMismatch(Load(dockerfile), DeployFiles.Root));

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void TheFinalStageShipsNoSdk(string dockerfile) =>
        Assert.DoesNotContain("/dotnet/sdk:", Load(dockerfile).Final.Image, StringComparison.Ordinal);

    [Fact]
    public void OnlyTheGpuImageBuildsTheCudaFlavourAndItRestoresAndPublishesTheSame()
    {
        foreach (var dockerfile in DeployFiles.Dockerfiles())
        {
            var runs = Load(dockerfile).Stages.SelectMany(s => s.Instructions).Where(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet ", StringComparison.Ordinal)).ToList();
            var gpu = dockerfile.EndsWith(".gpu.Dockerfile", StringComparison.Ordinal);
            Assert.Equal(2, runs.Count); // restore, publish
            Assert.All(runs, run => Assert.Equal(gpu, run.Arguments.Contains("-p:OnnxRuntimeFlavor=Gpu", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void TheChecksFindTheFaultsOfABrokenDockerfile()
    {
        using var context = new TempFolder();
        Directory.CreateDirectory(context.Sub("src/App"));
        Directory.CreateDirectory(context.Sub("src/Lib"));
        Directory.CreateDirectory(context.Sub("src/Old"));
        File.WriteAllText(context.Sub("src/App/App.csproj"), """<Project><ItemGroup><ProjectReference Include="../Lib/Lib.csproj" /></ItemGroup></Project>""");
        File.WriteAllText(context.Sub("src/Lib/Lib.csproj"), "<Project />");
        File.WriteAllText(context.Sub("src/Old/Old.csproj"), "<Project />");
        File.WriteAllText(context.Sub("secret.txt"), "s");
        File.WriteAllText(context.Sub(".dockerignore"), "secret.txt\n");
        var dockerfile = Dockerfile.Parse("""
            # syntax=docker/dockerfile:1
            FROM mcr.microsoft.com/dotnet/sdk AS build
            COPY src/App/App.csproj src/App/
            COPY src/Old/Old.csproj \
                 src/Old/
            RUN dotnet restore src/App/App.csproj
            COPY src/ missing/ secret.txt ./
            RUN dotnet publish src/App/App.csproj -o /app
            FROM busybox:latest AS runtime
            COPY --from=build /app /app
            COPY --from=tools:latest /bin/x /bin/x
            USER app
            USER 0
            """);

        Assert.Equal(
            ["line 7: COPY missing/: not in the build context", "line 7: COPY secret.txt: left out of the build context by .dockerignore"],
            DockerfileChecks.MissingCopySources(dockerfile, context.Path));
        Assert.Equal(["the final stage runs as 0 (root)"], DockerfileChecks.RootUser(dockerfile));
        Assert.Equal(
            ["line 2: mcr.microsoft.com/dotnet/sdk is not pinned to a tag other than latest", "line 9: busybox:latest is not pinned to a tag other than latest", "line 11: tools:latest is not pinned to a tag other than latest"],
            DockerfileChecks.UnpinnedImages(dockerfile));
        Assert.Equal(
            ["src/Lib/Lib.csproj is referenced but not copied before the restore", "src/Old/Old.csproj is copied but not referenced"],
            DockerfileChecks.RestoreLayerMismatch(dockerfile, context.Path));
    }

    [Fact]
    public void DockerIgnoreFollowsDockersRules()
    {
        var ignore = new DockerIgnore("""
            # allow-list
            *
            !src/
            !models/manifest.json
            **/bin/
            src/**/*.user
            """);

        Assert.True(ignore.Excludes("models/cache/clip/onnx/vision_model.onnx"));
        Assert.False(ignore.Excludes("models/manifest.json"));
        Assert.False(ignore.Excludes("src/Pipeline.Worker/Program.cs"));
        Assert.True(ignore.Excludes("src/Pipeline.Worker/bin/Release/Pipeline.Worker.dll"));
        Assert.True(ignore.Excludes("src/A/B/x.user"));
        Assert.True(ignore.Excludes("README.md"));
        Assert.False(new DockerIgnore("").Excludes("anything"));
    }

    private static Dockerfile Load(string dockerfile) => Dockerfile.Load(DeployFiles.PathOf(dockerfile));

    /// <summary>Every problem in full (Assert.Empty would cut each line short).</summary>
    private static void NoProblems(List<string> problems)
    {
        if (problems.Count > 0)
        {
            Assert.Fail(string.Join(System.Environment.NewLine, problems));
        }
    }
}
