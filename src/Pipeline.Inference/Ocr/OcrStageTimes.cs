using System.Diagnostics;

namespace Pipeline.Inference.Ocr;

/// <summary>Time spent in each stage since creation, summed over every call (for benchmarks and tests).</summary>
internal sealed class OcrStageTimes
{
    private long _prepare;
    private long _detect;
    private long _boxes;
    private long _classify;
    private long _recognize;
    private long _lines;

    public TimeSpan Prepare => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _prepare));

    public TimeSpan Detect => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _detect));

    public TimeSpan Boxes => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _boxes));

    public TimeSpan Classify => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _classify));

    public TimeSpan Recognize => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _recognize));

    /// <summary>Text lines recognised.</summary>
    public long Lines => Volatile.Read(ref _lines);

    public override string ToString() =>
        $"prepare {Prepare.TotalMilliseconds:F0} ms, detect {Detect.TotalMilliseconds:F0} ms, boxes {Boxes.TotalMilliseconds:F0} ms, " +
        $"classify {Classify.TotalMilliseconds:F0} ms, recognise {Recognize.TotalMilliseconds:F0} ms ({Lines} lines)";

    internal void AddPrepare(long since) => Interlocked.Add(ref _prepare, Stopwatch.GetTimestamp() - since);

    internal void AddDetect(long since) => Interlocked.Add(ref _detect, Stopwatch.GetTimestamp() - since);

    internal void AddBoxes(long since) => Interlocked.Add(ref _boxes, Stopwatch.GetTimestamp() - since);

    internal void AddClassify(long since) => Interlocked.Add(ref _classify, Stopwatch.GetTimestamp() - since);

    internal void AddRecognize(long since, int lines)
    {
        Interlocked.Add(ref _recognize, Stopwatch.GetTimestamp() - since);
        Interlocked.Add(ref _lines, lines);
    }
}
