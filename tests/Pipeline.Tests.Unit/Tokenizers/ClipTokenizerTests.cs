using System.Diagnostics;
using Pipeline.Inference.Runtime;
using Pipeline.Inference.Tokenizers;

namespace Pipeline.Tests.Unit.Tokenizers;

public sealed class ClipTokenizerTests(ClipTokenizerFixture fixture) : IClassFixture<ClipTokenizerFixture>
{
    private ClipTokenizer Tokenizer => fixture.Tokenizer;

    // Ids from OpenAI CLIP's reference tokenizer (simple_tokenizer.py) and transformers.js's CLIP tokenizer tests.
    public static TheoryData<string, long[]> SpecExamples => new()
    {
        { "a photo of a cat", [49406, 320, 1125, 539, 320, 2368, 49407] },
        { "How are you doing?", [49406, 829, 631, 592, 1960, 286, 49407] },
        { "Hello world", [49406, 3306, 1002, 49407] },
        { "A man riding a wave on top of a surfboard.", [49406, 320, 786, 6765, 320, 4535, 525, 1253, 539, 320, 10176, 1972, 269, 49407] },
        { "don't stop 123 4567", [49406, 847, 713, 1691, 272, 273, 274, 275, 276, 277, 278, 49407] },
        { "The company was founded in 2016.", [49406, 518, 2634, 739, 12240, 530, 273, 271, 272, 277, 269, 49407] },
    };

    [Fact]
    public void SpecialIdsAndSizeComeFromTheVocabulary()
    {
        Assert.Equal(49406, Tokenizer.StartOfTextId);
        Assert.Equal(49407, Tokenizer.EndOfTextId);
        Assert.Equal(49408, Tokenizer.VocabSize);
    }

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void EncodesSpecExamples(string text, long[] expected)
    {
        Assert.Equal(expected, Tokenizer.Encode(text));
    }

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void PaddedEncodingIsTheEncodingFollowedByEndOfText(string text, long[] expected)
    {
        var padded = Tokenizer.EncodePadded(text);

        Assert.Equal(ClipTokenizer.ContextLength, padded.Length);
        Assert.Equal(expected, padded[..expected.Length]);
        Assert.All(padded[expected.Length..], id => Assert.Equal(49407, id));
    }

    [Theory]
    [InlineData("  A   PHOTO of a CAT ")]
    [InlineData("a photo\tof\r\na  cat")]
    [InlineData("\u00A0a photo of a cat\u2003")]
    public void CaseAndWhitespaceAreNormalised(string text)
    {
        Assert.Equal(Tokenizer.Encode("a photo of a cat"), Tokenizer.Encode(text));
    }

    [Fact]
    public void DecomposedAccentsAreComposedFirst()
    {
        Assert.Equal(Tokenizer.Encode("caf\u00E9"), Tokenizer.Encode("cafe\u0301"));
        Assert.Equal("a café", ClipTokenizer.Normalize("  A  CAFE\u0301 "));
    }

    // Expected strings from Python's unicodedata.normalize("NFC", …) (Unicode 14). The runtime's string.Normalize is a
    // no-op under InvariantGlobalization, so these guard the tokenizer's own NFC.
    [Theory]
    [InlineData("cafe\u0301", "caf\u00E9")]
    [InlineData("e\u0301\u0323", "\u1EB9\u0301")] // reordered by combining class, then composed with the dot below
    [InlineData("\u1100\u1161\u11A8", "\uAC01")] // Hangul jamo → syllable
    [InlineData("\u212B", "\u00E5")] // Å (Angstrom sign) is a singleton → Å, then lower-cased
    [InlineData("\u0958", "\u0915\u093C")] // composition exclusion stays decomposed
    [InlineData("\u0BC6\u0BBE", "\u0BCA")] // two starters compose
    [InlineData("\u0301a", "\u0301a")] // a leading combining mark composes with nothing
    [InlineData("\uD83D\uDC4D\uD83C\uDFFD x", "\uD83D\uDC4D\uD83C\uDFFD x")]
    [InlineData("a\uD800b", "a\uD800b")] // a lone surrogate passes through
    [InlineData("\u0130STANBUL", "i\u0307stanbul")] // İ lower-cases to i + combining dot, as Rust's to_lowercase
    public void NormalisationComposesCanonically(string text, string expected)
    {
        Assert.Equal(expected, ClipTokenizer.Normalize(text));
    }

    // Letters and digits outside the BMP (surrogate pairs in .NET strings) pre-tokenize as letters and digits, as in
    // OpenAI's/Hugging Face's code-point regex; ids from a Python port of simple_tokenizer.py with the regex module.
    [Theory]
    [InlineData("a\U00020000b \U0001D400\U0001D401\U0001D402 test", new long[] { 49406, 64, 172, 254, 222, 222, 321, 15889, 222, 15889, 223, 15889, 480, 1628, 49407 })]
    [InlineData("\U0001D7D9\U0001D7DA numbers", new long[] { 49406, 6874, 253, 503, 6874, 253, 504, 6121, 49407 })]
    public void LettersAndDigitsOutsideTheBmpAreLettersAndDigits(string text, long[] expected)
    {
        Assert.Equal(expected, Tokenizer.Encode(text));
    }

    [Fact]
    public void SpecialTokensInTheTextAreSplitOutFirst()
    {
        var bang = Tokenizer.Encode("!")[1..^1];

        Assert.Equal([49406L, .. bang, 49407, 49407], Tokenizer.Encode("!<|endoftext|>"));
        Assert.Equal([49406L, 49406, 2368, 49407], Tokenizer.Encode("<|startoftext|>cat"));
    }

    [Fact]
    public void EmptyOrBlankTextIsJustStartAndEnd()
    {
        Assert.Equal([49406L, 49407L], Tokenizer.Encode(""));
        Assert.Equal([49406L, 49407L], Tokenizer.Encode(" \t\n "));
    }

    [Fact]
    public void VeryLongTextIsTruncatedToTheContextLengthKeepingEndOfText()
    {
        var text = string.Join(' ', Enumerable.Repeat("a photo of a cat", 200));

        var ids = Tokenizer.Encode(text);
        var padded = Tokenizer.EncodePadded(text);

        Assert.Equal(77, ids.Length);
        Assert.Equal(49406, ids[0]);
        Assert.Equal(49407, ids[^1]);
        Assert.DoesNotContain(49407L, ids[..^1]);
        Assert.Equal([320L, 1125, 539, 320, 2368, 320], ids[1..7]);
        Assert.Equal(ids, padded);
    }

    [Fact]
    public void TruncationCutsTokensNotWords()
    {
        // 74 one-token words, then a word of several tokens: only its first token fits.
        var longWord = "supercalifragilisticexpialidocious";
        var wordIds = Tokenizer.Encode(longWord)[1..^1];
        Assert.True(wordIds.Length > 1);
        var text = string.Join(' ', Enumerable.Repeat("cat", 74)) + " " + longWord;

        var ids = Tokenizer.Encode(text);

        Assert.Equal(77, ids.Length);
        Assert.Equal(wordIds[0], ids[75]);
        Assert.Equal(49407, ids[76]);
    }

    [Fact]
    public void ExactlySeventyFiveTokensAreKeptWhole()
    {
        var text = string.Join(' ', Enumerable.Repeat("cat", 75));

        var ids = Tokenizer.Encode(text);

        Assert.Equal(77, ids.Length);
        Assert.All(ids[1..^1], id => Assert.Equal(2368, id));
    }

    [Fact]
    public void PaddingToOtherLengthsTruncatesToThem()
    {
        var padded = Tokenizer.EncodePadded("a photo of a cat", 5);

        Assert.Equal([49406L, 320, 1125, 539, 49407], padded);
        Assert.Equal(10, Tokenizer.EncodePadded("a photo of a cat", 10).Length);
    }

    [Fact]
    public void SpanOverloadsFillTensorRows()
    {
        var longs = new long[77];
        var ints = new int[77];
        longs.AsSpan().Fill(-1);
        ints.AsSpan().Fill(-1);

        var count = Tokenizer.EncodePadded("a photo of a cat", longs.AsSpan());
        var intCount = Tokenizer.EncodePadded("a photo of a cat", ints.AsSpan());

        Assert.Equal(7, count);
        Assert.Equal(7, intCount);
        Assert.Equal(Tokenizer.EncodePadded("a photo of a cat"), longs);
        Assert.Equal(longs, ints.Select(i => (long)i));
    }

    [Fact]
    public void ContextShorterThanStartAndEndIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.EncodePadded("cat", 1));
    }

    [Fact]
    public void ConcurrentUseGivesTheSameIdsAsSequentialUse()
    {
        var texts = SampleTexts(500);
        var expected = texts.Select(t => Tokenizer.EncodePadded(t)).ToArray();
        var actual = new long[texts.Length][];

        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i] = Tokenizer.EncodePadded(texts[i]));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ThousandTextBatchEncodesQuickly()
    {
        var texts = SampleTexts(1000);
        var fresh = ClipTokenizer.FromFolder(VocabFolders.ClipFolder);

        var cold = Stopwatch.StartNew();
        var rows = texts.Select(t => fresh.EncodePadded(t)).ToArray();
        cold.Stop();
        var warm = Stopwatch.StartNew();
        rows = texts.Select(t => fresh.EncodePadded(t)).ToArray();
        warm.Stop();

        TestContext.Current.TestOutputHelper?.WriteLine($"CLIP 1000-text batch: cold {cold.Elapsed.TotalMilliseconds:F1} ms, warm {warm.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Equal(1000, rows.Length);
        // Generous bound for a shared 2-core machine; a regression to per-call vocabulary loading would blow it.
        Assert.True(cold.Elapsed < TimeSpan.FromSeconds(5), $"cold batch took {cold.Elapsed}");
    }

    [Fact]
    public void MissingFilesAreReportedWithTheirPath()
    {
        using var temp = new TempFolder();
        File.Copy(Path.Combine(VocabFolders.ClipFolder, "vocab.json"), temp.Sub("vocab.json"));

        var error = Assert.Throws<ModelNotFoundException>(() => ClipTokenizer.FromFolder(temp.Path));

        Assert.Contains(temp.Sub("merges.txt"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gpt2VocabularyIsNotAClipVocabulary()
    {
        var error = Assert.Throws<ModelNotFoundException>(() => ClipTokenizer.FromFolder(VocabFolders.Gpt2Folder));

        Assert.Contains("<|startoftext|>", error.Message, StringComparison.Ordinal);
    }

    internal static string[] SampleTexts(int count)
    {
        string[] subjects = ["cat", "dog", "child", "old man", "red car", "mountain lake", "birthday cake", "café terrace"];
        string[] scenes = ["on a couch", "in the snow", "at the beach at sunset", "next to 3 bicycles", "under a bridge, 2019"];
        return Enumerable.Range(0, count)
            .Select(i => $"A photo of a {subjects[i % subjects.Length]} {scenes[i % scenes.Length]} #{i}")
            .ToArray();
    }
}
