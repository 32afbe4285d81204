using System.Diagnostics;
using System.Globalization;

namespace Pipeline.Benchmarks.Photos;

/// <summary>The reference decoders, timed on one core; null where the tool is not installed or cannot read the format.</summary>
internal static class ExternalTools
{
    private static readonly Dictionary<string, string> OneThread = new(StringComparer.Ordinal) { ["VIPS_CONCURRENCY"] = "1" };

    /// <summary>vipsthumbnail over every file in one process: its start-up is shared, and it writes each result as JPEG.</summary>
    public static double? VipsThumbnail(IReadOnlyList<string> files, int size)
    {
        var output = Directory.CreateTempSubdirectory("pipeline-vipsthumbnail-");
        try
        {
            string[] arguments = ["-s", size.ToString(CultureInfo.InvariantCulture), "-o", Path.Combine(output.FullName, "%s.jpg"), .. files];
            Run("vipsthumbnail", [files[0], "-s", size.ToString(CultureInfo.InvariantCulture), "-o", Path.Combine(output.FullName, "%s.jpg")], OneThread);
            var clock = Stopwatch.StartNew();
            return Run("vipsthumbnail", arguments, OneThread) == true ? files.Count / clock.Elapsed.TotalSeconds : null;
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    /// <summary>Pillow's reduced-scale JPEG decode (draft) and thumbnail, timed inside one interpreter; null for formats it cannot read.</summary>
    public static double? PillowDraft(IReadOnlyList<string> files, int size)
    {
        const string script = """
            import sys, time
            from PIL import Image
            size = int(sys.argv[1]); files = sys.argv[2:]
            def one(path):
                with Image.open(path) as image:
                    image.draft("RGB", (size, size))
                    image = image.convert("RGB")
                    image.thumbnail((size, size), Image.LANCZOS)
            one(files[0])
            start = time.perf_counter()
            for path in files:
                one(path)
            print(len(files) / (time.perf_counter() - start))
            """;
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-c", script, size.ToString(CultureInfo.InvariantCulture) }.Concat(files))
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 && double.TryParse(output.Trim(), CultureInfo.InvariantCulture, out var rate) ? rate : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Runs a tool to its end, its output read and dropped; false when it failed, null when it is not installed.</summary>
    public static bool? Run(string tool, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        try
        {
            using var process = Process.Start(start)!;
            // Both streams at once: a tool that fills one while the other is being read would never end.
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            Task.WaitAll(output, errors);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
