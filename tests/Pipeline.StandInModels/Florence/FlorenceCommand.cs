using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Pipeline.StandInModels.Florence;

/// <summary>
/// <c>florence --out &lt;folder&gt; [--size tiny|full] [--quantized] [--seed 1] [--model-id …] [--eos-after 31]
/// [--tokenizer-files &lt;folder like models/vocab&gt;] [--force]</c>. An up-to-date folder (same options, generator
/// version and source files) is left as it is unless --force.
/// </summary>
internal static class FlorenceCommand
{
    public static Command Create()
    {
        var outOption = new Option<DirectoryInfo>("--out") { Description = "Folder to write the model into (created if missing).", Required = true };
        var sizeOption = new Option<string>("--size") { Description = "tiny (width 64, tests) or full (Florence-2-base text sizes, benchmarks; about 1 GB).", DefaultValueFactory = _ => "tiny" };
        sizeOption.AcceptOnlyFromAmong("tiny", "full");
        var quantizedOption = new Option<bool>("--quantized") { Description = "Also write the four *_quantized.onnx files (transformers.js dtype q8)." };
        var seedOption = new Option<int>("--seed") { Description = "Seed of the random weights.", DefaultValueFactory = _ => 1 };
        var modelIdOption = new Option<string?>("--model-id") { Description = $"Model id recorded in stand-in.json (default {FlorenceStandInOptions.DefaultModelId})." };
        var eosOption = new Option<int>("--eos-after") { Description = "Greedy answers end with EOS after this many tokens (the forced <s> included); 0 for never.", DefaultValueFactory = _ => FlorenceStandInOptions.DefaultEosAfterTokens };
        var tokenizerOption = new Option<DirectoryInfo?>("--tokenizer-files") { Description = "A folder laid out like models/vocab with bart/ and florence-2-base-ft/ (default: the repository's models/vocab, copied beside the tool)." };
        var forceOption = new Option<bool>("--force") { Description = "Rewrite the folder even when it is up to date." };

        var command = new Command("florence", "Write a stand-in Florence-2 (vision encoder, token embedding, BART encoder, merged BART decoder) in the onnx-community/Florence-2-base-ft layout.")
        {
            outOption, sizeOption, quantizedOption, seedOption, modelIdOption, eosOption, tokenizerOption, forceOption,
        };
        command.SetAction(parseResult =>
        {
            var eos = parseResult.GetValue(eosOption);
            var options = new FlorenceStandInOptions
            {
                Size = parseResult.GetRequiredValue(sizeOption) == "full" ? FlorenceSize.Full : FlorenceSize.Tiny,
                Seed = parseResult.GetValue(seedOption),
                ModelId = parseResult.GetValue(modelIdOption),
                Quantized = parseResult.GetValue(quantizedOption),
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
                    paths = FlorenceStandIn.Write(folder, options);
                }
                else
                {
                    var result = FlorenceStandIn.WriteOrReuse(folder, options);
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
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
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
