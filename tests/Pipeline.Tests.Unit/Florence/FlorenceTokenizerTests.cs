using System.Text.Json;
using Pipeline.Inference.Florence;
using Pipeline.Tests.Unit.Tokenizers;

namespace Pipeline.Tests.Unit.Florence;

/// <summary>Loads Florence-2's tokenizer once per test class (BART's 50k merges take a moment).</summary>
public sealed class FlorenceTokenizerFixture
{
    public FlorenceTokenizer Tokenizer { get; } = FlorenceTokenizer.FromFolder(VocabFolders.Folder("bart"));
}

/// <summary>
/// Florence-2's tokenizer with the real ids: the prompt-id vectors known from transformers.js' tests and a port
/// verified against the Python processor, the added tokens' ids, and the vocabulary re-derived from its sources.
/// </summary>
public sealed class FlorenceTokenizerTests(FlorenceTokenizerFixture fixture) : IClassFixture<FlorenceTokenizerFixture>
{
    [Theory]
    [InlineData("describe", new[] { 0, 45091, 21700, 2 })]
    [InlineData("Locate cat in the image.", new[] { 0, 574, 22486, 4758, 11, 5, 2274, 4, 2 })]
    public void PromptsEncodeToTheIdsTransformersJsGives(string prompt, int[] ids) =>
        Assert.Equal(ids, fixture.Tokenizer.EncodePrompt(prompt));

    [Fact]
    public void TheObjectDetectionTasksPromptEncodesToItsKnownIds() =>
        Assert.Equal([0, 574, 22486, 5, 8720, 19, 4120, 766, 11, 5, 2274, 4, 2], fixture.Tokenizer.EncodePrompt(FlorenceTask.Objects.Prompt));

    [Fact]
    public void TheParagraphTasksPromptEncodesToItsKnownIds() =>
        Assert.Equal([0, 47066, 21700, 19, 10, 17818, 99, 16, 2343, 11, 5, 2274, 4, 2], fixture.Tokenizer.EncodePrompt(FlorenceTask.MoreDetailedCaption.Prompt));

    [Fact]
    public void AddedTokensFollowBartsVocabularyInMicrosoftsOrder()
    {
        Assert.Equal(FlorenceVocabulary.Size - FlorenceVocabulary.FirstAddedId, FlorenceVocabulary.AddedTokens.Count);
        Assert.Equal([50265, 50269, 51268], fixture.Tokenizer.EncodePrompt("<od><loc_0><loc_999>").Skip(1).SkipLast(1));
        Assert.Equal(50269 + 53, FlorenceVocabulary.LocationId(53));
        Assert.Equal("<and>", FlorenceVocabulary.AddedTokens[^1]);
    }

    [Fact]
    public void GeneratedIdsDecodeWithTheirSpecialTokensWrittenOut()
    {
        long[] generated = [2, 0, .. fixture.Tokenizer.EncodePrompt("A green car 고슴도치").Skip(1).SkipLast(1).Select(i => (long)i), FlorenceVocabulary.LocationId(53), 2];

        Assert.Equal("</s><s>A green car 고슴도치<loc_53></s>", fixture.Tokenizer.Decode(generated));
    }

    [Fact]
    public void AnIdOutsideTheVocabularyIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Tokenizer.Decode([FlorenceVocabulary.Size]));

    [Fact]
    public void TheVendoredVocabularyIsTheOneDerivedFromFairseqsDictionaryAndGpt2s()
    {
        var gpt2 = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(VocabFolders.Gpt2Folder, "vocab.json")))!
            .ToDictionary(e => e.Value, e => e.Key);
        var derived = new Dictionary<string, int>(StringComparer.Ordinal) { ["<s>"] = 0, ["<pad>"] = 1, ["</s>"] = 2, ["<unk>"] = 3 };
        var dictionary = File.ReadLines(Path.Combine(VocabFolders.Folder("bart"), "fairseq-gpt2-dict.txt")).Select(l => l.Split(' ')[0]).ToList();
        var real = dictionary.Where(symbol => !symbol.StartsWith("madeupword", StringComparison.Ordinal)).ToList();
        for (var i = 0; i < real.Count; i++)
        {
            derived[gpt2[int.Parse(real[i], System.Globalization.CultureInfo.InvariantCulture)]] = 4 + i;
        }

        foreach (var padding in dictionary.Where(symbol => symbol.StartsWith("madeupword", StringComparison.Ordinal)).Take(3))
        {
            derived[padding] = derived.Count;
        }

        derived["<mask>"] = derived.Count;

        var vendored = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(VocabFolders.Folder("bart"), "vocab.json")))!;
        Assert.Equal(50265, vendored.Count);
        Assert.Equal(derived.OrderBy(e => e.Value), vendored.OrderBy(e => e.Value));
    }
}
