using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;

namespace Pipeline.StandInModels;

internal static class Program
{
    private static int Main(string[] args)
    {
        var outOption = new Option<DirectoryInfo>("--out") { Description = "Folder to write the model into (created if missing).", Required = true };
        var hiddenOption = new Option<int>("--hidden") { Description = "Token width: 64 for tests, 768 for real-size benchmarks.", DefaultValueFactory = _ => 64 };
        var seedOption = new Option<int>("--seed") { Description = "Seed of the random weights.", DefaultValueFactory = _ => 1 };
        var modelIdOption = new Option<string>("--model-id") { Description = "Model id recorded in stand-in.json.", DefaultValueFactory = _ => new ClipVisionStandInOptions().ModelId };

        var clipVision = new Command("clip-vision", "Write a stand-in CLIP vision tower in the Xenova/clip-vit-base-patch32 layout.")
        {
            outOption, hiddenOption, seedOption, modelIdOption,
        };
        clipVision.SetAction(parseResult =>
        {
            var options = new ClipVisionStandInOptions
            {
                Hidden = parseResult.GetValue(hiddenOption),
                Seed = parseResult.GetValue(seedOption),
                ModelId = parseResult.GetRequiredValue(modelIdOption),
            };
            var folder = parseResult.GetRequiredValue(outOption).FullName;
            try
            {
                Report(ClipVisionStandIn.Write(folder, options));
                return 0;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
        });

        var root = new RootCommand("Writes random-weight ONNX models in the file layout of real Hugging Face exports.") { clipVision };
        root.Subcommands.Add(Captioner.CaptionerCommand.Create());
        root.Subcommands.Add(ClipCommand.Create());
        return root.Parse(args).Invoke();
    }

    private static void Report(IReadOnlyList<string> paths)
    {
        foreach (var path in paths)
        {
            using var stream = File.OpenRead(path);
            var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{hash}  {stream.Length,12:N0} B  {path}"));
        }
    }
}
