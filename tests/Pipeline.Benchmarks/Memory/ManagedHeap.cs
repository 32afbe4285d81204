using System.Globalization;

namespace Pipeline.Benchmarks.Memory;

/// <summary>
/// The worker's managed heap as its <c>/metrics</c> reports it (the runtime's <c>System.Runtime</c> instruments, as of
/// the last collection): the memory the GC had committed, and the live objects plus fragmentation in it. In MiB.
/// </summary>
internal readonly record struct ManagedHeap(double Committed, double Heap)
{
    private const string CommittedMetric = "dotnet_gc_last_collection_memory_committed_size_bytes";
    private const string HeapMetric = "dotnet_gc_last_collection_heap_size_bytes";

    public static ManagedHeap Unknown { get; } = new(double.NaN, double.NaN);

    /// <summary>Reads the two figures from Prometheus's text format; NaN for one the text lacks.</summary>
    public static ManagedHeap Parse(string metrics)
    {
        double committed = 0, heap = 0;
        bool hasCommitted = false, hasHeap = false;
        foreach (var line in metrics.Split('\n'))
        {
            if (Sample(line, CommittedMetric) is { } c)
            {
                (committed, hasCommitted) = (committed + c, true);
            }
            else if (Sample(line, HeapMetric) is { } h)
            {
                // One sample per generation (gen0, gen1, gen2, loh, poh): the heap is their sum.
                (heap, hasHeap) = (heap + h, true);
            }
        }

        return new ManagedHeap(hasCommitted ? committed / 1_048_576 : double.NaN, hasHeap ? heap / 1_048_576 : double.NaN);
    }

    private static double? Sample(string line, string metric)
    {
        if (!line.StartsWith(metric, StringComparison.Ordinal) || line.Length == metric.Length || line[metric.Length] is not ('{' or ' '))
        {
            return null;
        }

        var rest = line[metric.Length..];
        var value = rest[(rest.IndexOf('}', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0];
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;
    }
}
