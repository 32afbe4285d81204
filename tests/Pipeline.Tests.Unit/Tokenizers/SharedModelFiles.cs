namespace Pipeline.Tests.Unit.Tokenizers;

/// <summary>
/// The vocabulary files saved beside the repository (<c>&lt;repo&gt;/../shared/models/files</c>), found by walking up from
/// the test binaries. Missing files fail the tests: tokenizer correctness is not optional.
/// </summary>
internal static class SharedModelFiles
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string Gpt2Folder => Folder("gpt2");

    public static string ClipFolder => Folder("clip-vit-base-patch32");

    public static string Folder(string name)
    {
        var folder = Path.Combine(Root.Value, name);
        if (!File.Exists(Path.Combine(folder, "vocab.json")) || !File.Exists(Path.Combine(folder, "merges.txt")))
        {
            throw new InvalidOperationException($"Tokenizer test data missing: {folder} must hold vocab.json and merges.txt (see shared/models/SPEC.md §7).");
        }

        return folder;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "models", "files");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"Tokenizer test data not found: no directory containing shared/models/files above {AppContext.BaseDirectory} " +
            "(expected <repo>/../shared/models/files with the GPT-2 and CLIP vocabularies).");
    }
}
