using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Pipeline.Tests.Unit.Deploy;

/// <summary>
/// The deployment files and the application facts they must agree with (settings, health endpoints, model sets),
/// read from the repository itself so that a change on either side breaks a test instead of a deployment.
/// </summary>
internal static partial class DeployFiles
{
    public static string Root { get; } = FindRepositoryRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string[] Dockerfiles() =>
        [.. Directory.GetFiles(PathOf("deploy"), "*.Dockerfile").Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];

    /// <summary>Every document of a YAML file as plain maps, lists and strings; merge keys (<c>&lt;&lt;: *anchor</c>) resolved.</summary>
    public static IReadOnlyList<object?> LoadYaml(string relative)
    {
        using var reader = File.OpenText(PathOf(relative));
        var parser = new MergingParser(new Parser(reader));
        var deserializer = new DeserializerBuilder().Build();
        var documents = new List<object?>();
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            documents.Add(deserializer.Deserialize(parser));
        }

        return documents;
    }

    public static Dictionary<object, object?> Map(object? node, string what) =>
        node as Dictionary<object, object?> ?? throw new InvalidDataException($"{what}: expected a mapping, found {node?.GetType().Name ?? "nothing"}.");

    public static List<object?> List(object? node, string what) =>
        node as List<object?> ?? throw new InvalidDataException($"{what}: expected a list, found {node?.GetType().Name ?? "nothing"}.");

    /// <summary>The node at a dotted path (<c>spec.template.spec</c>), or null where any step is missing.</summary>
    public static object? At(object? node, string path)
    {
        foreach (var key in path.Split('.'))
        {
            if (node is not Dictionary<object, object?> map || !map.TryGetValue(key, out node))
            {
                return null;
            }
        }

        return node;
    }

    public static string? Text(object? node, string path) => At(node, path) as string;

    /// <summary>A compose <c>environment</c> in either form (map, or list of <c>KEY=value</c>).</summary>
    public static Dictionary<string, string?> Environment(object? node) => node switch
    {
        null => [],
        Dictionary<object, object?> map => map.ToDictionary(e => (string)e.Key, e => e.Value as string),
        List<object?> list => list.Cast<string>().Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : null),
        _ => throw new InvalidDataException("environment: expected a map or a list."),
    };

    /// <summary>A setting of src/&lt;project&gt;/appsettings.json by its configuration path (<c>Batching:QueueName</c>).</summary>
    public static JsonElement AppSetting(string project, string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(PathOf($"src/{project}/appsettings.json")));
        var node = json.RootElement;
        foreach (var key in path.Split(':'))
        {
            node = node.GetProperty(key);
        }

        return node.Clone();
    }

    /// <summary>The environment variable names of the connection strings a project's appsettings.json expects.</summary>
    public static string[] ConnectionStringVariables(string project) =>
        [.. AppSetting(project, "ConnectionStrings").EnumerateObject().Select(p => $"ConnectionStrings__{p.Name}")];

    /// <summary>The paths a project maps to health checks (<c>MapHealthChecks("/health/live", ...)</c>) in the given source.</summary>
    public static string[] HealthPaths(string sourceFile) =>
        [.. HealthCheckMapping().Matches(File.ReadAllText(PathOf(sourceFile))).Select(m => m.Groups[1].Value)];

    public static string[] ManifestModelIds()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(PathOf("models/manifest.json")));
        return [.. json.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
    }

    /// <summary>The model ids of <c>pipeline models fetch|verify --cache DIR id...</c> in a setup command line.</summary>
    public static string[] ModelIds(string commandLine, string verb)
    {
        var command = ModelsCommand().Matches(commandLine).FirstOrDefault(m => m.Groups[1].Value == verb);
        return command is not null
            ? command.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : throw new InvalidDataException($"No 'pipeline models {verb} --cache DIR id...' in: {commandLine}");
    }

    /// <summary>The model set a <c>*__Path</c> setting points at, for paths of the form /models/&lt;id&gt;.</summary>
    public static string ModelIdOf(string modelPath) =>
        modelPath.StartsWith("/models/", StringComparison.Ordinal) && modelPath.Count(c => c == '/') == 2
            ? modelPath["/models/".Length..]
            : throw new InvalidDataException($"Model path {modelPath} is not /models/<id>.");

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

    [GeneratedRegex(@"MapHealthChecks\(""([^""]+)""")]
    private static partial Regex HealthCheckMapping();

    [GeneratedRegex(@"pipeline models (fetch|verify) --cache \S+((?: [a-z0-9.-]+)+)")]
    private static partial Regex ModelsCommand();
}
