using System.Text;
using Pipeline.Inference.Runtime;
using Pipeline.Inference.Tokenizers;

namespace Pipeline.Tests.Unit.Tokenizers;

public sealed class Gpt2TokenizerTests(Gpt2TokenizerFixture fixture) : IClassFixture<Gpt2TokenizerFixture>
{
    private Gpt2Tokenizer Tokenizer => fixture.Tokenizer;

    // Ids from OpenAI GPT-2's reference encoder (r50k_base, as tiktoken pins it).
    public static TheoryData<string, int[]> SpecExamples => new()
    {
        { "a cat laying on a couch with another cat", [64, 3797, 16299, 319, 257, 18507, 351, 1194, 3797] },
        { "Hello world", [15496, 995] },
        { "How are you doing?", [2437, 389, 345, 1804, 30] },
        { "You should've done this", [1639, 815, 1053, 1760, 428] },
        { "The company was founded in 2016.", [464, 1664, 373, 9393, 287, 1584, 13] },
    };

    [Fact]
    public void SpecialIdAndSizeComeFromTheVocabulary()
    {
        Assert.Equal(50256, Tokenizer.EndOfTextId);
        Assert.Equal(50257, Tokenizer.VocabSize);
        Assert.True(Tokenizer.CleanUpTokenizationSpaces);
    }

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void EncodesSpecExamples(string text, int[] expected)
    {
        Assert.Equal(expected, Tokenizer.Encode(text));
    }

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void DecodesSpecExamplesBackToTheirText(string text, int[] ids)
    {
        Assert.Equal(text, Tokenizer.Decode(ids.Select(i => (long)i)));
    }

    [Fact]
    public void DecodesTheReferenceCaption()
    {
        long[] ids = [64, 3797, 16299, 319, 257, 18507, 351, 1194, 3797];

        Assert.Equal("a cat laying on a couch with another cat", Tokenizer.Decode(ids));
    }

    [Fact]
    public void DecodingAGeneratedSequenceSkipsStartAndEndTokens()
    {
        long[] generated = [50256, 64, 3797, 16299, 319, 257, 18507, 351, 1194, 3797, 50256];

        Assert.Equal("a cat laying on a couch with another cat", Tokenizer.Decode(generated));
    }

    [Fact]
    public void DecodingCanKeepSpecialTokens()
    {
        long[] generated = [50256, 64, 3797, 50256];

        Assert.Equal("<|endoftext|>a cat<|endoftext|>", Tokenizer.Decode(generated, skipSpecialTokens: false));
    }

    [Fact]
    public void EndOfTextInTheTextIsTheSpecialToken()
    {
        Assert.Equal([15496, 50256, 995], Tokenizer.Encode("Hello<|endoftext|> world"));
    }

    [Theory]
    [InlineData("café ☕")]
    [InlineData("naïve 🐈‍⬛ emoji 👍🏽 and 日本語")]
    public void MultiByteCharactersSplitOverByteTokensRoundTrip(string text)
    {
        var ids = Tokenizer.Encode(text);

        Assert.True(ids.Count > text.Split(' ').Length, "expected byte-level tokens for the non-ASCII characters");
        Assert.Equal(text, Tokenizer.Decode(ids.Select(i => (long)i)));
    }

    [Fact]
    public void BytesOfOneCharacterAreJoinedBeforeUtf8Decoding()
    {
        var ids = Tokenizer.Encode("☕").Select(i => (long)i).ToArray();

        Assert.True(ids.Length > 1, "☕ (E2 98 95) is not a single GPT-2 token");
        Assert.Equal("☕", Tokenizer.Decode(ids));
        // A lone partial sequence is invalid UTF-8: it decodes to the replacement character, as in Hugging Face.
        Assert.Equal("\uFFFD", Tokenizer.Decode(ids[..1]));
    }

    [Fact]
    public void OutputIsTrimmedAndTokenizationSpacesAreCleanedUp()
    {
        // " a", " cat", " ,", " dog", " ." — as a caption model might emit them.
        var ids = Tokenizer.Encode(" a cat , dog .").Select(i => (long)i);

        Assert.Equal("a cat, dog.", Tokenizer.Decode(ids));
    }

    [Fact]
    public void CleanUpCanBeTurnedOff()
    {
        using var vocab = File.OpenRead(Path.Combine(VocabFolders.Gpt2Folder, "vocab.json"));
        using var merges = File.OpenRead(Path.Combine(VocabFolders.Gpt2Folder, "merges.txt"));
        var raw = Gpt2Tokenizer.FromStreams(vocab, merges, cleanUpTokenizationSpaces: false);

        Assert.Equal("a cat , dog .", raw.Decode(raw.Encode(" a cat , dog .").Select(i => (long)i)));
        Assert.Equal([15496, 995], raw.Encode("Hello world"));
    }

    [Fact]
    public void WhitespaceRunsUseGpt2SpaceTokens()
    {
        // "\s+(?!\S)": the last space of a run joins the next word; GPT-2 ids only (CodeGen would use ids ≥ 50257).
        var ids = Tokenizer.Encode("a  b\n\nc");

        Assert.All(ids, id => Assert.InRange(id, 0, 50256));
        Assert.Equal("a  b\n\nc", Tokenizer.Decode(ids.Select(i => (long)i)));
    }

    [Fact]
    public void EmptyTextHasNoTokensAndNoIdsDecodeToEmpty()
    {
        Assert.Empty(Tokenizer.Encode(""));
        Assert.Equal("", Tokenizer.Decode([]));
        Assert.Equal("", Tokenizer.Decode([50256, 50256]));
    }

    [Fact]
    public void UnknownIdIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Decode([64, 50257]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Decode([-1]));
    }

    [Fact]
    public void ConcurrentUseGivesTheSameIdsAsSequentialUse()
    {
        var texts = Enumerable.Range(0, 400).Select(i => $"A photo number {i} of a {(i % 2 == 0 ? "dog" : "cat")} on café #{i * 7} ☕").ToArray();
        var expected = texts.Select(t => Tokenizer.Encode(t).ToArray()).ToArray();
        var actual = new int[texts.Length][];
        var decoded = new string[texts.Length];

        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            actual[i] = Tokenizer.Encode(texts[i]).ToArray();
            decoded[i] = Tokenizer.Decode(actual[i].Select(id => (long)id));
        });

        Assert.Equal(expected, actual);
        Assert.Equal(texts, decoded);
    }

    [Fact]
    public void FromFolderReadsCleanUpSettingFromTokenizerConfig()
    {
        using var temp = new TempFolder();
        File.Copy(Path.Combine(VocabFolders.Gpt2Folder, "vocab.json"), temp.Sub("vocab.json"));
        File.Copy(Path.Combine(VocabFolders.Gpt2Folder, "merges.txt"), temp.Sub("merges.txt"));
        File.WriteAllText(temp.Sub("tokenizer_config.json"), """{"clean_up_tokenization_spaces": false}""", Encoding.UTF8);

        Assert.False(Gpt2Tokenizer.FromFolder(temp.Path).CleanUpTokenizationSpaces);
    }

    [Fact]
    public void MissingFilesAreReportedWithTheirPath()
    {
        using var temp = new TempFolder();

        var error = Assert.Throws<ModelNotFoundException>(() => Gpt2Tokenizer.FromFolder(temp.Path));

        Assert.Contains(temp.Sub("vocab.json"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VocabularyWithoutEndOfTextIsRejected()
    {
        using var vocab = new MemoryStream("""{"a": 0, "b": 1, "ab": 2}"""u8.ToArray());
        using var merges = new MemoryStream("#version: 0.2\na b\n"u8.ToArray());

        var error = Assert.Throws<InvalidDataException>(() => Gpt2Tokenizer.FromStreams(vocab, merges));

        Assert.Contains("<|endoftext|>", error.Message, StringComparison.Ordinal);
    }
}
