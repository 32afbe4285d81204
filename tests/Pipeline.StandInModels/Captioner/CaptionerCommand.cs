using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Pipeline.StandInModels.Captioner;

/// <summary>
/// <c>captioner --out &lt;folder&gt; [--layout vit-gpt2|distilvit] [--size tiny|full] [--seed 1] [--model-id …]
/// [--no-quantized] [--eos-after 14] [--tokenizer-files &lt;folder like models/vocab&gt;] [--force]</c>.
/// An up-to-date folder (same options, generator version and source files) is left as it is unless --force.
/// </summary>
internal static class CaptionerCommand
{
    public static Command Create()
    {
        var outOption = new Option<DirectoryInfo>("--out") { Description = "Folder to write the model into (created if missing).", Required = true };
        var layoutOption = new Option<string>("--layout") { Description = "vit-gpt2 (Xenova/vit-gpt2-image-captioning) or distilvit (Mozilla/distilvit).", DefaultValueFactory = _ => "vit-gpt2" };
        layoutOption.AcceptOnlyFromAmong("vit-gpt2", "distilvit");
        var sizeOption = new Option<string>("--size") { Description = "tiny (hidden 32, tests) or full (the real sizes, benchmarks; hundreds of MB).", DefaultValueFactory = _ => "tiny" };
        sizeOption.AcceptOnlyFromAmong("tiny", "full");
        var seedOption = new Option<int>("--seed") { Description = "Seed of the random weights.", DefaultValueFactory = _ => 1 };
        var modelIdOption = new Option<string?>("--model-id") { Description = "Model id recorded in stand-in.json (default stand-in/vit-gpt2-image-captioning or stand-in/distilvit)." };
        var noQuantizedOption = new Option<bool>("--no-quantized") { Description = "Skip the *_quantized.onnx files." };
        var eosOption = new Option<int>("--eos-after") { Description = "Greedy captions end with EOS after this many tokens; 0 for never.", DefaultValueFactory = _ => 14 };
        var tokenizerOption = new Option<DirectoryInfo?>("--tokenizer-files") { Description = "A folder laid out like models/vocab with the real GPT-2 tokenizer files (default: the repository's models/vocab, copied beside the tool)." };
        var forceOption = new Option<bool>("--force") { Description = "Rewrite the folder even when it is up to date." };

        var command = new Command("captioner", "Write a stand-in image captioner (ViT + GPT-2, merged decoder) in the transformers.js vision-encoder-decoder layout.")
        {
            outOption, layoutOption, sizeOption, seedOption, modelIdOption, noQuantizedOption, eosOption, tokenizerOption, forceOption,
        };
        command.SetAction(parseResult =>
        {
            var eos = parseResult.GetValue(eosOption);
            var options = new CaptionerStandInOptions
            {
                Layout = parseResult.GetRequiredValue(layoutOption) == "distilvit" ? CaptionerLayout.Distilvit : CaptionerLayout.VitGpt2,
                Size = parseResult.GetRequiredValue(sizeOption) == "full" ? CaptionerSize.Full : CaptionerSize.Tiny,
                Seed = parseResult.GetValue(seedOption),
                ModelId = parseResult.GetValue(modelIdOption),
                Quantized = !parseResult.GetValue(noQuantizedOption),
                EosAfterTokens = eos > 0 ? eos : null,
                TokenizerFilesFolder = parseResult.GetValue(tokenizerOption)?.FullName,
            };
            var folder = parseResult.GetRequiredValue(outOption).FullName;
            try
            {
                var stopwatch = Stopwatch.StartNew();
                IReadOnlyList<string> paths;
                if (parseResult.GetValue(forceOption))
                {
                    paths = CaptionerStandIn.Write(folder, options);
                }
                else
                {
                    var result = CaptionerStandIn.WriteOrReuse(folder, options);
                    paths = result.Paths;
                    if (result.Reused)
                    {
                        Console.WriteLine($"Up to date, not rewritten: {folder}");
                    }
                }

                Report(paths);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stopwatch.Elapsed.TotalSeconds:F1} s"));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException)
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
