using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Pipeline.StandInModels;
using Pipeline.StandInModels.Captioner;

namespace Pipeline.Benchmarks;

/// <summary>The stand-in model folders both sides load, under the checkout's ignored <c>.local/models/bench-*</c>.</summary>
/// <param name="ClipVisionModel">The CLIP image tower file both sides run (fp32; the Xenova layout has no quantized tower).</param>
/// <param name="CaptionerModels">The captioner's encoder and merged decoder files of the chosen variant.</param>
internal sealed record ModelFolders(string Clip, string Captioner, string ClipVisionModel, IReadOnlyList<string> CaptionerModels)
{
    /// <summary>Writes the folders, or reuses them when an earlier run wrote them with the same options (full size: ~10–25 s the first time).</summary>
    public static ModelFolders Prepare(string repositoryRoot, BenchOptions options)
    {
        var models = Path.Combine(repositoryRoot, ".local", "models");
        var clip = Path.Combine(models, $"bench-clip-{options.SizeName}");
        var captioner = Path.Combine(models, $"bench-captioner-distilvit-{options.SizeName}");

        var stopwatch = Stopwatch.StartNew();
        var clipResult = ClipStandIn.WriteOrReuse(clip, new ClipStandInOptions
        {
            Layout = ClipStandInLayout.Xenova,
            Size = options.Full ? ClipStandInSize.Full : ClipStandInSize.Tiny,
        });
        Report(clip, clipResult.Reused, stopwatch.Elapsed);

        stopwatch.Restart();
        var captionerResult = CaptionerStandIn.WriteOrReuse(captioner, new CaptionerStandInOptions
        {
            Layout = CaptionerLayout.Distilvit,
            Size = options.Full ? CaptionerSize.Full : CaptionerSize.Tiny,
            Quantized = true,
        });
        Report(captioner, captionerResult.Reused, stopwatch.Elapsed);

        var quantized = options.CaptionerVariant == "quantized";
        return new ModelFolders(
            clip,
            captioner,
            Path.Combine(clip, ClipStandIn.XenovaVisionModelPath),
            [
                Path.Combine(captioner, quantized ? CaptionerStandIn.EncoderQuantizedPath : CaptionerStandIn.EncoderPath),
                Path.Combine(captioner, quantized ? CaptionerStandIn.DecoderQuantizedPath : CaptionerStandIn.DecoderPath),
            ]);
    }

    /// <summary>
    /// A view of <paramref name="captioner"/> (links to its files) whose <c>generation_config.json</c> forces every caption
    /// to exactly <paramref name="newTokens"/> tokens (<c>min_length</c> = <c>max_length</c>), on every side that reads it.
    /// With random weights and dynamic int8 quantization (activation scales taken over the whole batch) where a caption
    /// ends depends on which images share its batch, so the same image costs different work in different batches.
    /// </summary>
    public static string FixedLength(string captioner, int newTokens)
    {
        var view = string.Create(CultureInfo.InvariantCulture, $"{captioner}-fixed{newTokens}");
        Directory.CreateDirectory(view);
        foreach (var file in Directory.EnumerateFiles(captioner, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(captioner, file);
            var target = Path.Combine(view, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Delete(target);
            if (relative == "generation_config.json")
            {
                var config = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
                config["min_length"] = 1 + newTokens; // the decoder start token counts, as in transformers
                config["max_length"] = 1 + newTokens;
                File.WriteAllText(target, config.ToJsonString());
            }
            else
            {
                File.CreateSymbolicLink(target, file);
            }
        }

        return view;
    }

    /// <summary>The folder holding Pipeline.sln, above the program or the current directory.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Pipeline.sln")))
                {
                    return folder.FullName;
                }
            }
        }

        throw new BenchmarkException($"Cannot find Pipeline.sln above {AppContext.BaseDirectory} or {Directory.GetCurrentDirectory()}.");
    }

    private static void Report(string folder, bool reused, TimeSpan elapsed) =>
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"  {(reused ? "reused" : "generated")} {folder} ({elapsed.TotalSeconds:F1} s)"));
}

/// <summary>A setup or run failure with a message meant for the user (no stack trace needed).</summary>
internal sealed class BenchmarkException : Exception
{
    public BenchmarkException(string message)
        : base(message)
    {
    }

    public BenchmarkException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
