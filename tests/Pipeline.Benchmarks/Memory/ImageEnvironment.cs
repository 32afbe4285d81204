namespace Pipeline.Benchmarks.Memory;

/// <summary>
/// The memory settings the worker's image gives the process (<c>ENV</c> of deploy/worker.Dockerfile): glibc's malloc
/// (<c>MALLOC_*</c>) and the .NET GC (<c>DOTNET_GC*</c>). They are read by the C library and the runtime as the process
/// starts, not from the worker's configuration, so the benchmark passes them itself to measure the worker as deployed.
/// </summary>
internal static class ImageEnvironment
{
    public static IReadOnlyList<KeyValuePair<string, string>> Read(string repositoryRoot)
    {
        var dockerfile = Path.Combine(repositoryRoot, "deploy", "worker.Dockerfile");
        var instructions = File.ReadAllText(dockerfile).Replace("\\\n", " ", StringComparison.Ordinal).Split('\n');
        return
        [
            .. instructions
                .Where(line => line.StartsWith("ENV ", StringComparison.Ordinal))
                .SelectMany(line => line["ENV ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(pair => pair.Split('=', 2))
                .Where(pair => pair.Length == 2 && (pair[0].StartsWith("MALLOC_", StringComparison.Ordinal) || pair[0].StartsWith("DOTNET_GC", StringComparison.Ordinal)))
                .Select(pair => new KeyValuePair<string, string>(pair[0], pair[1])),
        ];
    }
}
