using static Pipeline.Tests.Unit.Deploy.DeployFiles;

namespace Pipeline.Tests.Unit.Deploy;

/// <summary>
/// deploy/k8s against the application: probes on the ports and paths the apps serve, the KEDA trigger on the queue the
/// worker consumes and the Secret keys the pods read, a grace period longer than the worker's shutdown, models that the
/// setup Job fetches. No cluster or kubeconform runs on the CI machine; the manifests are read as YAML.
/// </summary>
public sealed class KubernetesManifestTests
{
    private const string Folder = "deploy/k8s";

    private readonly List<Dictionary<object, object?>> _resources;

    public KubernetesManifestTests()
    {
        var files = List(At(LoadYaml($"{Folder}/kustomization.yaml").Single(), "resources"), "resources").Cast<string>();
        _resources = [.. files.SelectMany(f => LoadYaml($"{Folder}/{f}")).Select(d => Map(d, "manifest"))];
    }

    [Fact]
    public void TheKustomizationListsEveryManifestButTheSecretExample()
    {
        var listed = List(At(LoadYaml($"{Folder}/kustomization.yaml").Single(), "resources"), "resources").Cast<string>().Order(StringComparer.Ordinal);
        var present = Directory.GetFiles(PathOf(Folder), "*.yaml").Select(Path.GetFileName)
            .Where(f => f is not "kustomization.yaml" && !f!.EndsWith(".example.yaml", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

        Assert.Equal(present, listed);
        Assert.All(_resources, r => Assert.Null(At(r, "metadata.namespace")));
    }

    [Fact]
    public void ProbesAskTheWorkersHealthEndpointsOnItsPort()
    {
        var paths = HealthPaths("src/Pipeline.ServiceDefaults/Health/HealthEndpoints.cs");
        Assert.Equal(["/health/live", "/health/ready"], paths);
        var port = Assert.Single(Dockerfiles().Where(f => f.Contains("worker", StringComparison.Ordinal))
            .Select(f => string.Join(' ', Dockerfile.Load(PathOf(f)).Final.Instructions.Where(i => i.Keyword == "ENV").Select(i => i.Arguments)))
            .Select(env => System.Text.RegularExpressions.Regex.Match(env, @"Http__Urls=http://\+:(\d+)").Groups[1].Value).Distinct());

        AssertProbes(Container("Deployment", "pipeline-worker"), int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), paths);
    }

    [Fact]
    public void ProbesAskTheApisHealthEndpointsOnItsPort()
    {
        var paths = HealthPaths("src/Pipeline.ServiceDefaults/Health/HealthEndpoints.cs");
        Assert.Equal(["/health/live", "/health/ready"], paths);
        var exposed = Dockerfile.Load(PathOf("deploy/api.Dockerfile")).Final.Instructions.Single(i => i.Keyword == "EXPOSE").Arguments;

        AssertProbes(Container("Deployment", "pipeline-api"), int.Parse(exposed, System.Globalization.CultureInfo.InvariantCulture), paths);
        var service = Resource("Service", "pipeline-api");
        Assert.Equal("http", Text(List(At(service, "spec.ports"), "ports").Single(), "targetPort"));
        Assert.Equal(Map(At(Resource("Deployment", "pipeline-api"), "spec.selector.matchLabels"), "selector"), Map(At(service, "spec.selector"), "selector"));
    }

    [Fact]
    public void TheWorkerGetsMoreTimeToStopThanItsShutdownTimeout()
    {
        var configured = Text(Resource("ConfigMap", "pipeline-worker"), "data.Shutdown__TimeoutSeconds");
        var shutdown = configured is null ? AppSetting("Pipeline.Worker", "Shutdown:TimeoutSeconds").GetInt32() : int.Parse(configured, System.Globalization.CultureInfo.InvariantCulture);
        var grace = int.Parse(Text(Resource("Deployment", "pipeline-worker"), "spec.template.spec.terminationGracePeriodSeconds") ?? "30", System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(grace > shutdown, $"terminationGracePeriodSeconds {grace} <= Shutdown__TimeoutSeconds {shutdown}");
    }

    [Fact]
    public void KedaScalesTheWorkerOnTheQueueItConsumes()
    {
        var scaled = Resource("ScaledObject", "pipeline-worker");
        Assert.Equal("pipeline-worker", Text(scaled, "spec.scaleTargetRef.name"));
        Assert.NotNull(Resource("Deployment", Text(scaled, "spec.scaleTargetRef.name")!));

        var trigger = Map(List(At(scaled, "spec.triggers"), "triggers").Single(), "trigger");
        Assert.Equal("rabbitmq", trigger["type"]);
        var queue = Text(Resource("ConfigMap", "pipeline-worker"), "data.Batching__QueueName") ?? AppSetting("Pipeline.Worker", "Batching:QueueName").GetString();
        Assert.Equal(queue, Text(trigger, "metadata.queueName"));
        Assert.Equal("QueueLength", Text(trigger, "metadata.mode"));
        Assert.True(int.Parse(Text(trigger, "metadata.value")!, System.Globalization.CultureInfo.InvariantCulture) > 0);

        var authentication = Resource("TriggerAuthentication", Text(trigger, "authenticationRef.name")!);
        var host = Map(List(At(authentication, "spec.secretTargetRef"), "secretTargetRef").Single(), "secretTargetRef");
        Assert.Equal(("host", "ConnectionStrings__RabbitMq"), (host["parameter"], host["key"]));
        Assert.Contains(("pipeline-secrets", "ConnectionStrings__RabbitMq"), SecretReferences(Container("Deployment", "pipeline-worker")));
        Assert.Equal("pipeline-secrets", host["name"]);
    }

    [Fact]
    public void EverySecretKeyThePodsReadIsInTheSecretsShapeAndCoversWhatTheAppsRequire()
    {
        var secret = Map(LoadYaml($"{Folder}/secret.example.yaml").Single(), "secret");
        var name = Text(secret, "metadata.name");
        var keys = Map(At(secret, "stringData"), "stringData").Keys.Cast<string>().ToHashSet();

        var pods = new[] { ("Deployment", "pipeline-worker", "Pipeline.Worker"), ("Deployment", "pipeline-api", "Pipeline.Api") };
        foreach (var (kind, deployment, project) in pods)
        {
            var references = SecretReferences(Container(kind, deployment)).ToList();
            Assert.All(references, r => Assert.Equal((name, true), (r.Secret, keys.Contains(r.Key))));
            Assert.Subset(references.Select(r => r.Key).ToHashSet(), ConnectionStringVariables(project).ToHashSet());
        }

        Assert.All(SecretReferences(Container("Job", "pipeline-setup")), r => Assert.Equal((name, true), (r.Secret, keys.Contains(r.Key))));
    }

    [Fact]
    public void TheModelsThePodsLoadAreTheSetsTheSetupJobFetches()
    {
        var job = Container("Job", "pipeline-setup");
        var command = string.Join(' ', List(At(job, "args"), "args").Cast<string>());
        var fetched = ModelIds(command, "fetch");
        Assert.Equal(fetched, ModelIds(command, "verify"));
        Assert.Subset(ManifestModelIds().ToHashSet(), fetched.ToHashSet());

        foreach (var config in new[] { "pipeline-worker", "pipeline-api" })
        {
            var paths = Map(At(Resource("ConfigMap", config), "data"), "data").Where(e => ((string)e.Key).EndsWith("__Path", StringComparison.Ordinal)).ToList();
            Assert.Contains(paths, p => (string)p.Key == "Models__ImageEmbedder__Path");
            Assert.All(paths, p => Assert.Contains(ModelIdOf((string)p.Value!), fetched));
        }

        var claims = _resources.Where(r => r["kind"] is "Deployment" or "Job")
            .SelectMany(r => List(At(r, "spec.template.spec.volumes"), "volumes").Select(v => Text(v, "persistentVolumeClaim.claimName")).OfType<string>()).Distinct();
        Assert.Equal(["pipeline-models"], claims);
        Assert.Contains("ReadWriteMany", List(At(Resource("PersistentVolumeClaim", "pipeline-models"), "spec.accessModes"), "accessModes"));
    }

    [Fact]
    public void TheWorkerTakesOneGpuAndNeverSurgesPastTheGpusThereAre()
    {
        var worker = Resource("Deployment", "pipeline-worker");
        var container = Container("Deployment", "pipeline-worker");

        Assert.Equal("1", Map(At(container, "resources.limits"), "limits").GetValueOrDefault("nvidia.com/gpu"));
        Assert.Equal("pipeline-worker-gpu", Text(container, "image"));
        Assert.Equal("0", Text(worker, "spec.strategy.rollingUpdate.maxSurge"));
    }

    [Fact]
    public void TheWorkersMemoryFollowsTheFormulaForItsModelsBatchAndHeapCap()
    {
        var config = Map(At(Resource("ConfigMap", "pipeline-worker"), "data"), "data").ToDictionary(e => (string)e.Key, e => (string?)e.Value);
        var batch = Number(config.GetValueOrDefault("Batching__MaxBatchSize")) ?? AppSetting("Pipeline.Worker", "Batching:MaxBatchSize").GetInt32();
        var batches = Number(config.GetValueOrDefault("Batching__ConcurrentBatches")) ?? AppSetting("Pipeline.Worker", "Batching:ConcurrentBatches").GetInt32();
        var decoding = Number(config.GetValueOrDefault("Imaging__MaxDecodingPixels")) ?? new Pipeline.Imaging.ImagingOptions().MaxDecodingPixels;
        var heapCap = Convert.ToInt64(config["DOTNET_GCHeapHardLimit"], 16) / Mebibyte;
        var models = config.Where(e => e.Key.EndsWith("__Path", StringComparison.Ordinal)).Sum(e => WorkerMemory.Loaded[ModelIdOf(e.Value!)]);
        var resources = At(Container("Deployment", "pipeline-worker"), "resources");

        // One CUDA pass (the GPU worker's default), whose buffers live on the device and, at most, in host memory too.
        var formula = WorkerMemory.Base + models + heapCap + (WorkerMemory.PerImageOfAPass * 1 * batch) + (4 * decoding / Mebibyte) + WorkerMemory.CudaRuntime;
        Assert.True(heapCap >= WorkerMemory.HeapFor(batch, batches), $"DOTNET_GCHeapHardLimit {heapCap} MiB < {WorkerMemory.HeapFor(batch, batches)} MiB for batches of {batch}");
        Assert.Equal(Mebibytes(Text(resources, "limits.memory")), Mebibytes(Text(resources, "requests.memory")));
        Assert.InRange(Mebibytes(Text(resources, "limits.memory")), formula, formula + 256);
    }

    [Fact]
    public void EveryPodRunsAsTheImagesUnprivilegedUser()
    {
        var appUid = Dockerfile.Load(PathOf("deploy/worker.gpu.Dockerfile")).Final.Instructions
            .Single(i => i.Keyword == "ENV" && i.Arguments.StartsWith("APP_UID=", StringComparison.Ordinal)).Arguments["APP_UID=".Length..];
        foreach (var pod in _resources.Where(r => r["kind"] is "Deployment" or "Job"))
        {
            Assert.Equal(("true", appUid), (Text(pod, "spec.template.spec.securityContext.runAsNonRoot"), Text(pod, "spec.template.spec.securityContext.runAsUser")));
            Assert.All(List(At(pod, "spec.template.spec.containers"), "containers"), c => Assert.Equal("false", Text(c, "securityContext.allowPrivilegeEscalation")));
        }
    }

    private static void AssertProbes(Dictionary<object, object?> container, int port, string[] paths)
    {
        var ports = List(At(container, "ports"), "ports").Select(p => Map(p, "port")).ToList();
        var named = Assert.Single(ports);
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), named["containerPort"]);
        foreach (var (probe, path) in new[] { ("startupProbe", paths[0]), ("livenessProbe", paths[0]), ("readinessProbe", paths[1]) })
        {
            Assert.Equal(path, Text(container, $"{probe}.httpGet.path"));
            Assert.Equal(named["name"], Text(container, $"{probe}.httpGet.port"));
        }
    }

    private const long Mebibyte = 1_048_576;

    private static long? Number(string? value) => value is null ? null : long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

    private static long Mebibytes(string? quantity) => quantity switch
    {
        null => throw new Xunit.Sdk.XunitException("no memory quantity"),
        _ when quantity.EndsWith("Gi", StringComparison.Ordinal) => long.Parse(quantity[..^2], System.Globalization.CultureInfo.InvariantCulture) * 1024,
        _ when quantity.EndsWith("Mi", StringComparison.Ordinal) => long.Parse(quantity[..^2], System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new Xunit.Sdk.XunitException($"memory quantity {quantity} is neither Mi nor Gi"),
    };

    private Dictionary<object, object?> Resource(string kind, string name) =>
        _resources.SingleOrDefault(r => (string?)r["kind"] == kind && Text(r, "metadata.name") == name)
        ?? throw new InvalidDataException($"No {kind} {name} in {Folder}.");

    private Dictionary<object, object?> Container(string kind, string name) =>
        Map(List(At(Resource(kind, name), "spec.template.spec.containers"), "containers").Single(), "container");

    private static IEnumerable<(string Secret, string Key)> SecretReferences(Dictionary<object, object?> container) =>
        (At(container, "env") as List<object?> ?? [])
            .Select(e => At(e, "valueFrom.secretKeyRef")).Where(r => r is not null)
            .Select(r => (Text(r, "name") ?? "", Text(r, "key") ?? ""));
}
