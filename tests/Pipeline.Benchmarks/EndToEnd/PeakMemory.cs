namespace Pipeline.Benchmarks.EndToEnd;

internal static class PeakMemory
{
    /// <summary>The process's peak resident set (VmHWM, Linux), in MB; the current working set elsewhere.</summary>
    public static double ResidentMegabytes()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
        {
            var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kilobytes))
            {
                return kilobytes / 1024.0;
            }
        }

        return Environment.WorkingSet / 1_048_576.0;
    }
}
