using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Pipeline.StandInModels;

/// <summary>
/// <c>clip --out &lt;folder&gt; [--layout xenova|immich] [--size tiny|full] [--seed 1] [--model-id …] [--tokenizer-files &lt;dir&gt;] [--force]</c>
/// </summary>
internal static class ClipCommand
{
    public static Command Create()
    {
        var outOption = new Option<DirectoryInfo>("--out") { Description = "Folder to write the model into (created if missing).", Required = true };
        var layoutOption = new Option<string>("--layout")
        {
            Description = "File layout: xenova (Xenova/clip-vit-base-patch32) or immich (immich-app/ViT-B-32__openai).",
            DefaultValueFactory = _ => "xenova",
        };
        layoutOption.AcceptOnlyFromAmong("xenova", "immich");
        var sizeOption = new Option<string>("--size")
        {
            Description = "tiny (width 32, 2 layers: tests) or full (ViT-B/32 sizes: benchmarks).",
            DefaultValueFactory = _ => "tiny",
        };
        sizeOption.AcceptOnlyFromAmong("tiny", "full");
        var seedOption = new Option<int>("--seed") { Description = "Seed of the random weights.", DefaultValueFactory = _ => 1 };
        var modelIdOption = new Option<string?>("--model-id") { Description = "Model id recorded in stand-in.json (default: per layout)." };
        var tokenizerOption = new Option<DirectoryInfo?>("--tokenizer-files")
        {
            Description = "Folder with the real CLIP vocab.json and merges.txt, or a folder laid out like models/vocab holding them " +
                          "(default: the repository's models/vocab, copied beside the tool).",
        };
        var forceOption = new Option<bool>("--force") { Description = "Regenerate even when the folder is already complete for these options." };

        var command = new Command("clip", "Write a stand-in CLIP ViT-B/32 (image and text towers, tokenizer) in the Xenova or Immich layout.")
        {
            outOption, layoutOption, sizeOption, seedOption, modelIdOption, tokenizerOption, forceOption,
        };
        command.SetAction(parseResult =>
        {
            var options = new ClipStandInOptions
            {
                Layout = parseResult.GetValue(layoutOption) == "immich" ? ClipStandInLayout.Immich : ClipStandInLayout.Xenova,
                Size = parseResult.GetValue(sizeOption) == "full" ? ClipStandInSize.Full : ClipStandInSize.Tiny,
                Seed = parseResult.GetValue(seedOption),
                ModelId = parseResult.GetValue(modelIdOption),
                TokenizerFilesFolder = parseResult.GetValue(tokenizerOption)?.FullName,
            };
            var folder = parseResult.GetRequiredValue(outOption).FullName;
            try
            {
                var stopwatch = Stopwatch.StartNew();
                ClipStandInResult result = parseResult.GetValue(forceOption)
                    ? new(ClipStandIn.Write(folder, options), Reused: false)
                    : ClipStandIn.WriteOrReuse(folder, options);
                Report(result.Paths);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(result.Reused ? "Reused the complete folder" : "Generated")} {folder} ({options.Layout}, {ClipStandIn.SizeName(options.Size)}, seed {options.Seed}) in {stopwatch.Elapsed.TotalSeconds:F1} s."));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
        });
        return command;
    }

    private static void Report(IReadOnlyList<string> paths)
    {
        foreach (var path in paths)
        {
            using var stream = File.OpenRead(path);
            var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{hash}  {stream.Length,13:N0} B  {path}"));
        }
    }
}
