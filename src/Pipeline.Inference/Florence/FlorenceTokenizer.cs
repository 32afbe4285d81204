using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using Pipeline.Inference.Runtime;
using Pipeline.Inference.Tokenizers;

namespace Pipeline.Inference.Florence;

/// <summary>
/// Florence-2's tokenizer: BART's byte-level BPE (RoBERTa's vocabulary: fairseq's GPT-2 dictionary with
/// <c>&lt;s&gt;</c> 0, <c>&lt;pad&gt;</c> 1, <c>&lt;/s&gt;</c> 2, <c>&lt;unk&gt;</c> 3 first) with the added tokens of
/// <see cref="FlorenceVocabulary"/>. Prompts are encoded as <c>&lt;s&gt; … &lt;/s&gt;</c>; generated ids decode with every
/// special token kept, as Florence-2's post-processing needs the <c>&lt;loc_N&gt;</c> tokens. Thread-safe.
/// </summary>
public sealed class FlorenceTokenizer
{
    private readonly BpeTokenizer _bpe;
    private readonly string?[] _idToToken;
    private readonly HashSet<int> _specialIds;

    private FlorenceTokenizer(BpeModelFiles files)
    {
        var bart = files.Vocabulary.Count;
        if (bart != FlorenceVocabulary.FirstAddedId || files.RequiredId("<s>") != FlorenceVocabulary.BeginningOfSequenceId
            || files.RequiredId("</s>") != FlorenceVocabulary.EndOfSequenceId || files.RequiredId("<pad>") != FlorenceVocabulary.PaddingId)
        {
            throw new InvalidDataException(
                $"{BpeModelFiles.VocabFileName} is not BART's vocabulary ({bart} tokens, <s> {files.Vocabulary.GetValueOrDefault("<s>", -1)}; expected {FlorenceVocabulary.FirstAddedId}, <s> 0, <pad> 1, </s> 2).");
        }

        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in new[] { "<s>", "<pad>", "</s>", "<unk>", "<mask>" })
        {
            specials[token] = files.RequiredId(token);
        }

        for (var i = 0; i < FlorenceVocabulary.AddedTokens.Count; i++)
        {
            specials[FlorenceVocabulary.AddedTokens[i]] = FlorenceVocabulary.FirstAddedId + i;
        }

        var vocabulary = new Dictionary<string, int>(files.Vocabulary, StringComparer.Ordinal);
        foreach (var (token, id) in specials)
        {
            vocabulary[token] = id;
        }

        _idToToken = new string?[FlorenceVocabulary.Size];
        foreach (var (token, id) in vocabulary)
        {
            _idToToken[id] = token;
        }

        _specialIds = [.. specials.Values];
        var regex = new Regex(Gpt2Tokenizer.PreTokenizerPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
        _bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = files.Merges,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(regex, specials),
            SpecialTokens = specials,
        });
    }

    /// <summary>Loads BART's <c>vocab.json</c> and <c>merges.txt</c> from a folder.</summary>
    /// <exception cref="ModelNotFoundException">A file is missing or is not BART's.</exception>
    public static FlorenceTokenizer FromFolder(string folder)
    {
        var files = BpeModelFiles.FromFolder(folder);
        try
        {
            return new FlorenceTokenizer(files);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
        {
            throw new ModelNotFoundException($"The Florence-2 tokenizer in {folder} could not be loaded: {e.Message}", e);
        }
    }

    /// <summary>The ids of a prompt as the model's encoder takes it: <c>&lt;s&gt;</c>, the text, <c>&lt;/s&gt;</c>.</summary>
    public IReadOnlyList<int> EncodePrompt(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [FlorenceVocabulary.BeginningOfSequenceId, .. _bpe.EncodeToIds(text), FlorenceVocabulary.EndOfSequenceId];
    }

    /// <summary>
    /// The text of generated ids with every special token written out (<c>&lt;/s&gt;&lt;s&gt;car&lt;loc_53&gt;…</c>), as
    /// transformers.js' <c>batch_decode(ids, skip_special_tokens: false)</c> gives it to the post-processing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in the vocabulary.</exception>
    public string Decode(IEnumerable<long> ids) => ByteLevel.Decode(ids, _idToToken, _specialIds, skipSpecialTokens: false);
}
