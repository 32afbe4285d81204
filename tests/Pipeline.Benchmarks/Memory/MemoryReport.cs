using System.Globalization;
using System.Text;
using Pipeline.Inference.Runtime;

namespace Pipeline.Benchmarks.Memory;

/// <summary>The <c>memory</c> command's report: plain text, fixed-width columns, MiB throughout.</summary>
internal static class MemoryReport
{
    public static string Format(
        MemoryOptions options, DeployedModels models, DateTimeOffset started, Measurement all, IReadOnlyList<(string Models, Measurement Run)> parts)
    {
        var text = new StringBuilder();
        var passes = new InferenceOptions { ConcurrentPasses = options.Passes, ExecutionProvider = ExecutionProviderChoice.Cpu };
        text.AppendLine(Invariant($"date: {started:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores; worker as a process, CPU build"));
        text.AppendLine(Invariant($"worker: Batching:MaxBatchSize {options.Batch}; {passes.EffectiveConcurrentPasses} concurrent passes × {passes.ThreadsPerPass} intra-op threads"));
        text.AppendLine("models (MiB on disk): " + string.Join(", ", models.FileSizes.Select(m => Invariant($"{m.Model} {m.Megabytes:F0}"))));
        if (options.WorkerSettings.Count > 0)
        {
            text.AppendLine("worker settings: " + string.Join(", ", options.WorkerSettings.Select(s => $"{s.Key}={s.Value}")));
        }

        if (options.Environment.Count > 0)
        {
            // --env may repeat one of the image's variables: the later value is the one the worker got.
            var effective = options.Environment.GroupBy(s => s.Key, StringComparer.Ordinal).Select(g => g.Last());
            text.AppendLine("worker environment: " + string.Join(", ", effective.Select(s => $"{s.Key}={s.Value}")));
        }

        if (options.LimitBytes is { } limit)
        {
            text.AppendLine(Invariant($"memory cgroup limit: {limit / 1_048_576} MiB; OOM kills: {all.OomKills}"));
        }

        text.AppendLine(Invariant($"load: {all.Images} photos (1–12 megapixels, inline JPEG) announced at once after a warm-up of 24"));
        text.AppendLine();
        text.AppendLine("MiB                         | resident | file-backed | malloc heaps | GC committed (heap) | other native");
        text.AppendLine("----------------------------|----------|-------------|--------------|---------------------|-------------");
        Row(text, "idle after start-up", all.Idle);
        Row(text, "after the warm-up", all.Warm);
        Row(text, "highest sample under load", all.Highest);
        Row(text, "idle 10 s after the load", all.After);
        text.AppendLine(Invariant($"peak resident under load (VmHWM): {all.Peak:F0} MiB; {all.Images} photos in {all.Seconds:F1} s = {all.ImagesPerSecond:F2} photos/s"));
        text.AppendLine(Invariant($"OutOfMemoryException lines in the worker's log: {all.ManagedOutOfMemory}"));
        text.AppendLine("(other native: anonymous memory outside malloc's heaps and the GC: ONNX Runtime's weights and arenas, bitmaps)");

        text.AppendLine(Invariant(
            $"native (resident − GC committed): {all.Idle.Native:F0} idle, at most {all.HighestNative:F0} under load (+{all.NativeGrowth:F0}: {all.NativeGrowth / (passes.EffectiveConcurrentPasses * options.Batch):F1} per image of the passes' batches); GC committed at most {all.HighestManaged:F0}"));

        if (parts.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("one model at a time   | idle | loaded (idle − no model) | peak under load | native added under load | GC committed under load | photos/s");
            text.AppendLine("----------------------|------|--------------------------|-----------------|-------------------------|-------------------------|---------");
            var none = parts[0].Run;
            foreach (var (name, run) in parts.Append(("every model", all)))
            {
                text.AppendLine(Invariant(
                    $"{name,-21} | {run.Idle.Parts.Resident,4:F0} | {run.Idle.Parts.Resident - none.Idle.Parts.Resident,24:F0} | {run.Peak,15:F0} | {run.NativeGrowth,23:F0} | {run.HighestManaged,23:F0} | {run.ImagesPerSecond,8:F2}"));
            }

            var loaded = parts.Skip(1).Sum(p => p.Run.Idle.Parts.Resident - none.Idle.Parts.Resident);
            var added = parts.Skip(1).Sum(p => p.Run.NativeGrowth - none.NativeGrowth);
            text.AppendLine(Invariant(
                $"native sum of the parts: no model {none.Idle.Native:F0} + each model loaded {loaded:F0} + the no-model load {none.NativeGrowth:F0} + each model's passes {added:F0} = {none.Idle.Native + loaded + none.NativeGrowth + added:F0} MiB (every model at once: {all.HighestNative:F0})"));
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, string label, MemorySnapshot snapshot)
    {
        var managed = double.IsNaN(snapshot.Managed.Committed) ? "—" : Invariant($"{snapshot.Managed.Committed:F0} ({snapshot.Managed.Heap:F0})");
        text.AppendLine(Invariant(
            $"{label,-27} | {snapshot.Parts.Resident,8:F0} | {snapshot.Parts.FileBacked,11:F0} | {snapshot.Parts.MallocHeaps,12:F0} | {managed,19} | {snapshot.NativeLarge,12:F0}"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
