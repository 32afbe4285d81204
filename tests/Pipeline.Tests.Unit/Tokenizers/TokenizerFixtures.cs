using Pipeline.Inference.Tokenizers;

namespace Pipeline.Tests.Unit.Tokenizers;

/// <summary>Loads the GPT-2 tokenizer once per test class (50k merges take a moment).</summary>
public sealed class Gpt2TokenizerFixture
{
    public Gpt2Tokenizer Tokenizer { get; } = Gpt2Tokenizer.FromFolder(VocabFolders.Gpt2Folder);
}

/// <summary>Loads the CLIP tokenizer once per test class.</summary>
public sealed class ClipTokenizerFixture
{
    public ClipTokenizer Tokenizer { get; } = ClipTokenizer.FromFolder(VocabFolders.ClipFolder);
}
