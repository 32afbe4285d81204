using System.Globalization;

namespace Pipeline.Testing;

/// <summary>A process's resident memory now and at its peak, from Linux's <c>/proc/&lt;pid&gt;/status</c>.</summary>
/// <remarks>One file, compiled into the fault tests and the benchmarks (see their csproj).</remarks>
public readonly record struct ProcessMemory(long ResidentBytes, long PeakResidentBytes)
{
    public double ResidentMegabytes => ResidentBytes / 1_048_576.0;

    public double PeakResidentMegabytes => PeakResidentBytes / 1_048_576.0;

    /// <summary>VmRSS and VmHWM of <paramref name="pid"/>; null once the process is gone (or off Linux).</summary>
    public static ProcessMemory? Read(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        long? resident = Kilobytes(lines, "VmRSS:"), peak = Kilobytes(lines, "VmHWM:");
        return resident is null || peak is null ? null : new ProcessMemory(resident.Value * 1024, peak.Value * 1024);
    }

    private static long? Kilobytes(string[] lines, string key)
    {
        var line = lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is not null && long.TryParse(
            line[key.Length..].Trim().Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kilobytes)
            ? kilobytes
            : null;
    }
}
