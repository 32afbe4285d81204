using System.Globalization;

namespace Pipeline.Cli.Models;

/// <summary>Where a fetch tells what it does: per file, bytes so far, rate and time left, then the checksum verdict.</summary>
internal interface IDownloadReport
{
    /// <summary>A file's download starts; the result follows its attempts and bytes.</summary>
    IFileProgress Start(string name, long? size);

    /// <summary>Anything else worth a line: a file complete and how its SHA-256 was checked, an optional file absent.</summary>
    void Line(string text);
}

/// <summary>One file's download, attempt by attempt.</summary>
internal interface IFileProgress
{
    /// <summary>An attempt begins with <paramref name="bytes"/> already in the partial file (more than 0: it resumes).</summary>
    void Attempt(long bytes);

    /// <summary>The partial file holds <paramref name="bytes"/> now.</summary>
    void Bytes(long bytes);
}

/// <summary>
/// One line when a file starts, one every few seconds while it runs (bytes, rate, ETA), one when it ends: readable in a
/// terminal, a log and a test alike, however many files download side by side.
/// </summary>
internal sealed class LineDownloadReport(Action<string> write, TimeProvider? time = null) : IDownloadReport
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();

    /// <summary>Plain lines on standard output (never markup: file names may hold brackets).</summary>
    public static LineDownloadReport ToConsole() => new(Console.Out.WriteLine);

    public IFileProgress Start(string name, long? size)
    {
        Write($"↓ {name}  {(size is { } s ? Bytes(s) : "size unknown")}");
        return new FileProgress(this, name, size);
    }

    public void Line(string text) => Write(text);

    private sealed class FileProgress(LineDownloadReport report, string name, long? size) : IFileProgress
    {
        private long _started;
        private long _lastLine;
        private long _first;

        public void Attempt(long bytes)
        {
            _started = _lastLine = report._time.GetTimestamp();
            _first = bytes;
            if (bytes > 0)
            {
                report.Write($"↻ {name}  resuming at {LineDownloadReport.Bytes(bytes)}{(size is { } all ? " of " + LineDownloadReport.Bytes(all) : "")}");
            }
        }

        public void Bytes(long bytes)
        {
            var now = report._time.GetTimestamp();
            if (report._time.GetElapsedTime(_lastLine, now) < Interval && bytes != size)
            {
                return;
            }

            _lastLine = now;
            var elapsed = report._time.GetElapsedTime(_started, now).TotalSeconds;
            var rate = elapsed > 0 ? (bytes - _first) / elapsed : 0;
            var eta = size is { } total && rate > 0 ? $"  ETA {Seconds((total - bytes) / rate)}" : "";
            report.Write($"  {name}  {LineDownloadReport.Bytes(bytes)}{(size is { } all ? " of " + LineDownloadReport.Bytes(all) : "")}  {LineDownloadReport.Bytes((long)rate)}/s{eta}");
        }
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            write(line);
        }
    }

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):F1} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    private static string Seconds(double seconds) => seconds >= 90
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:F0} min")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(seconds):F0} s");
}
