using Pipeline.Inference.Runtime;
using Pipeline.Inference.Tokenizers.SentencePiece;
using Pipeline.Tests.Unit.Deploy;

namespace Pipeline.Tests.Unit.Tokenizers;

/// <summary>
/// XLM-R's real ids from the real tokenizer.json of M-CLIP's text tower, when <c>pipeline models fetch
/// xlm-roberta-large-vit-b-32</c> has put it in the model cache. Without it they are reported as skipped (not run), never as passed: the vocabulary of 250,002 pieces
/// cannot be downloaded here, and a generated one has other ids.
/// </summary>
/// <remarks>
/// Sources of the ids: "你好，世界" from fairseq's XLM-R README (examples/xlmr, <c>xlmr.encode</c>, spm ids + 1 with
/// <c>&lt;s&gt;</c> 0 / <c>&lt;/s&gt;</c> 2); the English sentences from Hugging Face's and transformers.js' XLM-RoBERTa
/// tokenizer tests (FacebookAI/xlm-roberta-base: the vocabulary of -large and of M-CLIP's tower).
/// </remarks>
public sealed class XlmRobertaRealIdsTests
{
    public static TheoryData<string, int[]> Examples { get; } = new()
    {
        { "Hello world", [0, 35378, 8999, 2] },
        { "Hello world!", [0, 35378, 8999, 38, 2] },
        { "你好，世界", [0, 6, 124084, 4, 3221, 2] },
        { "How are you doing?", [0, 11249, 621, 398, 20594, 32, 2] },
        { "You should've done this", [0, 2583, 5608, 25, 272, 16940, 903, 2] },
    };

    private static string TextualFolder => Path.Combine(DeployFiles.Root, "models", "cache", "xlm-roberta-large-vit-b-32", "textual");

    [Theory]
    [MemberData(nameof(Examples))]
    public void TheRealTokenizerGivesXlmRsIds(string text, int[] expected)
    {
        var tokenizer = Path.Combine(TextualFolder, UnigramTokenizer.FileName);
        Assert.SkipUnless(
            File.Exists(tokenizer) && StandInMarker.TryRead(Path.GetDirectoryName(TextualFolder)!) is null,
            $"Not run: needs the real XLM-R {tokenizer} (pipeline models fetch xlm-roberta-large-vit-b-32).");

        Assert.Equal(expected, UnigramTokenizer.FromFolder(TextualFolder).Encode(text));
    }
}
