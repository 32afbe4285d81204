using System.Globalization;

namespace Pipeline.Testing;

/// <summary>
/// A child of Linux's cgroup v1 memory controller with a hard limit: a process started in it lives as in a container
/// with that memory limit (Kubernetes' <c>resources.limits.memory</c>), and is OOM-killed when it goes over. Needs
/// root; removed again on dispose, which must come after every process in it has exited.
/// </summary>
/// <remarks>One file, compiled into the test projects that need it (see their csproj).</remarks>
public sealed class MemoryCgroup : IDisposable
{
    private const string Controller = "/sys/fs/cgroup/memory";

    private readonly string _folder;

    private MemoryCgroup(string folder) => _folder = folder;

    /// <summary>Whether this machine has the cgroup v1 memory controller and lets this process make children in it.</summary>
    public static bool IsAvailable =>
        File.Exists(Path.Combine(Controller, "memory.limit_in_bytes")) && Environment.IsPrivilegedProcess;

    /// <summary>Write a process id here to move that process (and its later children) into the group.</summary>
    public string ProcsFile => Path.Combine(_folder, "cgroup.procs");

    /// <summary>The most memory the group's processes held at once (resident memory and page cache), in bytes.</summary>
    public long PeakBytes => Number("memory.max_usage_in_bytes");

    /// <summary>How many times the group reached its limit (the kernel then reclaimed cache, or killed).</summary>
    public long LimitHits => Number("memory.failcnt");

    /// <summary>Processes of the group the kernel's OOM killer killed.</summary>
    public long OomKills =>
        File.ReadAllLines(Path.Combine(_folder, "memory.oom_control"))
            .Select(line => line.Split(' '))
            .Where(parts => parts is ["oom_kill", _])
            .Select(parts => long.Parse(parts[1], CultureInfo.InvariantCulture))
            .SingleOrDefault();

    public static MemoryCgroup Create(long limitBytes)
    {
        var folder = Path.Combine(Controller, "pipeline-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "memory.limit_in_bytes"), limitBytes.ToString(CultureInfo.InvariantCulture));
        return new MemoryCgroup(folder);
    }

    /// <summary>rmdir, as cgroups are removed (their control files go with the folder).</summary>
    public void Dispose() => Directory.Delete(_folder);

    private long Number(string file) =>
        long.Parse(File.ReadAllText(Path.Combine(_folder, file)).Trim(), CultureInfo.InvariantCulture);
}
