using Pipeline.StandInModels;

namespace Pipeline.Tests.Unit.Tokenizers;

/// <summary>
/// The real vocabularies of the repository's <c>models/vocab</c>, as the build copies them beside the tests. Missing
/// files fail the tests: tokenizer correctness is not optional.
/// </summary>
internal static class VocabFolders
{
    /// <summary>GPT-2's vocabulary (Xenova/vit-gpt2-image-captioning carries it byte for byte).</summary>
    public static string Gpt2Folder => Folder("vit-gpt2-image-captioning");

    public static string ClipFolder => Folder("clip-vit-base-patch32");

    public static string Folder(string family)
    {
        var folder = VocabFiles.Folder(family);
        return File.Exists(Path.Combine(folder, "vocab.json")) && File.Exists(Path.Combine(folder, "merges.txt"))
            ? folder
            : throw new InvalidOperationException($"Tokenizer test data missing: {folder} must hold vocab.json and merges.txt (copied from models/vocab/{family} by the build).");
    }
}
