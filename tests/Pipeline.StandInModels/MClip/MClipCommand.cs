using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace Pipeline.StandInModels.MClip;

/// <summary><c>mclip --out &lt;folder&gt; [--size tiny|full] [--seed 1] [--model-id …] [--queries id,id] [--force]</c></summary>
internal static class MClipCommand
{
    public static Command Create()
    {
        var outOption = new Option<DirectoryInfo>("--out") { Description = "Folder to write the model into (created if missing).", Required = true };
        var seedOption = new Option<int>("--seed") { Description = "Seed of the random weights.", DefaultValueFactory = _ => 1 };
        var modelIdOption = new Option<string?>("--model-id") { Description = $"Model id recorded in stand-in.json (default {MClipStandInOptions.DefaultModelId})." };
        var queriesOption = new Option<string?>("--queries")
        {
            Description = "Comma-separated ids of the image towers whose vectors it queries (default: the CLIP stand-ins').",
        };
        var sizeOption = new Option<string>("--size") { Description = "tiny (hidden 32, 2 layers: tests) or full (XLM-R large's encoder, 1.2 GB: benchmarks).", DefaultValueFactory = _ => "tiny" };
        sizeOption.AcceptOnlyFromAmong("tiny", "full");
        var forceOption = new Option<bool>("--force") { Description = "Rewrite the folder even when it is up to date." };
        var command = new Command("mclip", "Write a stand-in M-CLIP text tower (XLM-R, Korean/Chinese/Japanese/Latin/emoji tokenizer) in the immich-app/XLM-Roberta-Large-Vit-B-32 layout.")
        {
            outOption, sizeOption, seedOption, modelIdOption, queriesOption, forceOption,
        };
        command.SetAction(parseResult =>
        {
            var queries = parseResult.GetValue(queriesOption);
            var options = new MClipStandInOptions
            {
                Seed = parseResult.GetValue(seedOption),
                Dimensions = parseResult.GetValue(sizeOption) == "full" ? MClipTextSize.Full : MClipTextSize.Tiny,
                ModelId = parseResult.GetValue(modelIdOption),
                Queries = queries is null ? new MClipStandInOptions().Queries : queries.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            };
            var folder = parseResult.GetRequiredValue(outOption).FullName;
            var stopwatch = Stopwatch.StartNew();
            var written = parseResult.GetValue(forceOption)
                ? new StandInWriteResult(MClipStandIn.Write(folder, options), Reused: false)
                : MClipStandIn.WriteOrReuse(folder, options);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(written.Reused ? "Up to date, not rewritten" : "Generated")}: {folder} ({written.Paths.Count} files listed) in {stopwatch.Elapsed.TotalSeconds:F1} s"));
            return 0;
        });
        return command;
    }
}
