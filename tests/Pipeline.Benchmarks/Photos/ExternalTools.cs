using System.Diagnostics;
using System.Globalization;

namespace Pipeline.Benchmarks.Photos;

/// <summary>The reference decoders, timed on one core; null where the tool is not installed or cannot read the format.</summary>
internal static class ExternalTools
{
    /// <summary>vipsthumbnail over every file in one process: its start-up is shared, and it writes each result as JPEG.</summary>
    public static double? VipsThumbnail(IReadOnlyList<string> files, int size)
    {
        var output = Directory.CreateTempSubdirectory("pipeline-vipsthumbnail-");
        try
        {
            string[] arguments = ["-s", size.ToString(CultureInfo.InvariantCulture), "-o", Path.Combine(output.FullName, "%s.jpg"), .. files];
            Run("vipsthumbnail", [files[0], "-s", size.ToString(CultureInfo.InvariantCulture), "-o", Path.Combine(output.FullName, "%s.jpg")]);
            var clock = Stopwatch.StartNew();
            return Run("vipsthumbnail", arguments) ? files.Count / clock.Elapsed.TotalSeconds : null;
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

    private static bool Run(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["VIPS_CONCURRENCY"] = "1";
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
