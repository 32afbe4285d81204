using System.Globalization;

namespace Pipeline.Benchmarks.Memory;

/// <summary>
/// A process's resident memory split by where it lives, from Linux's <c>/proc/&lt;pid&gt;/smaps</c>: file-backed pages
/// (the runtime, the native libraries), glibc's malloc heaps (the main <c>[heap]</c> and the per-thread arenas), and
/// the other anonymous memory (the .NET GC's heap, ONNX Runtime's weights and arenas, bitmaps: allocations large enough
/// for malloc to map them on their own). All in MiB.
/// </summary>
internal readonly record struct ResidentParts(double Resident, double FileBacked, double MallocHeaps, double OtherAnonymous)
{
    /// <summary>glibc reserves each thread arena as one aligned block of this size (HEAP_MAX_SIZE on 64-bit).</summary>
    private const long ArenaBlock = 64L * 1024 * 1024;

    /// <returns>Null once the process is gone.</returns>
    public static ResidentParts? Read(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/smaps");
        }
        catch (IOException)
        {
            return null;
        }

        var mappings = Parse(lines);
        long resident = 0, anonymous = 0, malloc = 0;
        for (var i = 0; i < mappings.Count; i++)
        {
            var mapping = mappings[i];
            resident += mapping.RssKb;
            anonymous += mapping.AnonymousKb;
            if (mapping.Path == "[heap]" || IsThreadArena(mappings, i))
            {
                malloc += mapping.AnonymousKb;
            }
        }

        return new ResidentParts(resident / 1024.0, (resident - anonymous) / 1024.0, malloc / 1024.0, (anonymous - malloc) / 1024.0);
    }

    /// <summary>
    /// A thread arena's heap: an anonymous read-write mapping starting on a 64 MiB boundary whose block (it, and the
    /// reserved rest right after it) is exactly 64 MiB. The .NET GC's and ONNX Runtime's mappings are not cut that way.
    /// </summary>
    private static bool IsThreadArena(List<Mapping> mappings, int index)
    {
        var mapping = mappings[index];
        if (mapping.Path.Length > 0 || !mapping.Writable || mapping.Start % ArenaBlock != 0)
        {
            return false;
        }

        var end = mapping.End;
        if (index + 1 < mappings.Count && mappings[index + 1] is { Writable: false, Path.Length: 0 } reserved && reserved.Start == end)
        {
            end = reserved.End;
        }

        return end - mapping.Start == ArenaBlock;
    }

    private static List<Mapping> Parse(string[] lines)
    {
        var mappings = new List<Mapping>();
        foreach (var line in lines)
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
            {
                var range = fields[0].Split('-');
                mappings.Add(new Mapping(
                    long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    fields[1].Contains('w', StringComparison.Ordinal),
                    fields.Length == 6 ? fields[5].Trim() : ""));
            }
            else if (mappings.Count > 0 && fields is ["Rss:", var rss, "kB"])
            {
                mappings[^1] = mappings[^1] with { RssKb = long.Parse(rss, CultureInfo.InvariantCulture) };
            }
            else if (mappings.Count > 0 && fields is ["Anonymous:", var anonymous, "kB"])
            {
                mappings[^1] = mappings[^1] with { AnonymousKb = long.Parse(anonymous, CultureInfo.InvariantCulture) };
            }
        }

        return mappings;
    }

    private sealed record Mapping(long Start, long End, bool Writable, string Path)
    {
        public long RssKb { get; init; }

        public long AnonymousKb { get; init; }
    }
}
