using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using Pipeline.Contracts.Text;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Tokenizers;

/// <summary>
/// CLIP's text tokenizer (openai/clip-vit-base-patch32, Xenova and Immich exports): byte-level BPE with <c>&lt;/w&gt;</c>
/// end-of-word suffixes, read from a model folder's <c>vocab.json</c> and <c>merges.txt</c>. Text is normalised as Hugging
/// Face's tokenizer.json does (NFC, whitespace runs → one space, lower case — Immich's <c>" ".join(text.split())</c> is
/// subsumed), split by CLIP's pre-tokenizer and encoded word by word by Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>
/// (byte level, <c>&lt;/w&gt;</c> suffix).
/// Thread-safe: one instance serves concurrent batches.
/// </summary>
public sealed class ClipTokenizer
{
    /// <summary>CLIP's context length: at most 75 content tokens between BOS and EOS.</summary>
    public const int ContextLength = 77;

    public const string StartOfTextToken = "<|startoftext|>";
    public const string EndOfTextToken = "<|endoftext|>";

    /// <summary>
    /// CLIP's pre-tokenizer (openai/CLIP simple_tokenizer.py, case-insensitive; Hugging Face's Split pre-tokenizer);
    /// digits are split one per token. Applied per code point by <see cref="Encode"/>.
    /// </summary>
    public const string PreTokenizerPattern =
        @"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+";

    private const string EndOfWordSuffix = "</w>";

    private static readonly string[] Contractions = ["s", "t", "re", "ve", "m", "ll", "d"];

    private readonly BpeTokenizer _bpe;

    private ClipTokenizer(BpeModelFiles files)
    {
        StartOfTextId = files.RequiredId(StartOfTextToken);
        EndOfTextId = files.RequiredId(EndOfTextToken);
        VocabSize = files.Vocabulary.Count;

        var specials = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [StartOfTextToken] = StartOfTextId,
            [EndOfTextToken] = EndOfTextId,
        };
        // Pre-tokenization is done here per code point (NextPreToken); the BPE model only ever sees one word at a time.
        _bpe = BpeTokenizer.Create(new BpeOptions(files.Vocabulary)
        {
            Merges = files.Merges,
            ByteLevel = true,
            EndOfWordSuffix = EndOfWordSuffix,
            PreTokenizer = new RegexPreTokenizer(new Regex(PreTokenizerPattern, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase), specials),
            SpecialTokens = specials,
        });
    }

    /// <summary>Id of <c>&lt;|startoftext|&gt;</c> (49406), read from the vocabulary.</summary>
    public int StartOfTextId { get; }

    /// <summary>Id of <c>&lt;|endoftext|&gt;</c> (49407): EOS and padding, read from the vocabulary.</summary>
    public int EndOfTextId { get; }

    /// <summary>Number of tokens in <c>vocab.json</c> (49408).</summary>
    public int VocabSize { get; }

    /// <exception cref="ModelNotFoundException">A file is missing, unreadable or malformed.</exception>
    public static ClipTokenizer FromFolder(string folder)
    {
        var files = BpeModelFiles.FromFolder(folder);
        try
        {
            return new ClipTokenizer(files);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
        {
            throw new ModelNotFoundException($"The CLIP tokenizer in {folder} could not be loaded: {e.Message}", e);
        }
    }

    /// <exception cref="InvalidDataException">The files are malformed or lack the special tokens.</exception>
    public static ClipTokenizer FromStreams(Stream vocabJson, Stream mergesTxt)
    {
        var files = BpeModelFiles.FromStreams(vocabJson, mergesTxt);
        try
        {
            return new ClipTokenizer(files);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"{BpeModelFiles.MergesFileName} does not fit {BpeModelFiles.VocabFileName}: {e.Message}", e);
        }
    }

    /// <summary>
    /// NFC, whitespace runs collapsed to one space and trimmed (Python's <c>" ".join(text.split())</c>), then lower case
    /// per character as Hugging Face's Lowercase normalizer (no ftfy/HTML unescaping, as in tokenizer.json).
    /// </summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var composed = Nfc.Normalize(text);
        var result = new StringBuilder(composed.Length);
        var pendingSpace = false;
        foreach (var c in composed)
        {
            if (IsPythonWhiteSpace(c))
            {
                pendingSpace = result.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                result.Append(' ');
                pendingSpace = false;
            }

            if (c == '\u0130')
            {
                // Rust's char::to_lowercase (Hugging Face's Lowercase normalizer) gives İ its full mapping "i̇".
                result.Append("i\u0307");
                continue;
            }

            result.Append(char.ToLowerInvariant(c));
        }

        return result.ToString();
    }

    /// <summary>
    /// <c>[BOS] + tokens + [EOS]</c>, the content truncated to <paramref name="maxLength"/> − 2 tokens (Hugging Face keeps
    /// EOS when truncating), so the result has at most <paramref name="maxLength"/> ids and always ends with EOS.
    /// </summary>
    public long[] Encode(string text, int maxLength = ContextLength)
    {
        var content = EncodeContent(text, maxLength);
        var ids = new long[content.Count + 2];
        Fill(content, ids);
        return ids;
    }

    /// <summary><see cref="Encode"/> padded with EOS to exactly <paramref name="length"/> ids (Hugging Face / Immich).</summary>
    public long[] EncodePadded(string text, int length = ContextLength)
    {
        var ids = new long[length];
        EncodePadded(text, ids);
        return ids;
    }

    /// <summary>Writes the EOS-padded ids into <paramref name="destination"/> (its length is the context length), e.g. a row of an int64 input tensor.</summary>
    /// <returns>The number of ids before the padding (BOS and EOS included).</returns>
    public int EncodePadded(string text, Span<long> destination)
    {
        var content = EncodeContent(text, destination.Length);
        destination.Fill(EndOfTextId);
        return Fill(content, destination);
    }

    /// <summary>As <see cref="EncodePadded(string, Span{long})"/> for int32 inputs (Immich's <c>text</c> tensor).</summary>
    public int EncodePadded(string text, Span<int> destination)
    {
        var content = EncodeContent(text, destination.Length);
        destination.Fill(EndOfTextId);
        destination[0] = StartOfTextId;
        for (var i = 0; i < content.Count; i++)
        {
            destination[i + 1] = content[i];
        }

        destination[content.Count + 1] = EndOfTextId;
        return content.Count + 2;
    }

    /// <summary>
    /// The content ids (no BOS/EOS) truncated to <paramref name="maxLength"/> − 2 tokens. Pre-tokens are encoded one by
    /// one and the loop stops once enough ids are collected, so a very long text costs no more than its first words;
    /// truncation is token-wise (mid-word if need be), as Hugging Face's.
    /// </summary>
    private List<int> EncodeContent(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        var limit = maxLength - 2;
        var normalized = Normalize(text);
        var ids = new List<int>(Math.Min(limit, 32));
        var position = 0;
        while (ids.Count < limit && NextPreToken(normalized, ref position, out var start, out var specialId))
        {
            if (specialId >= 0)
            {
                ids.Add(specialId);
                continue;
            }

            // One pre-token is one BPE word: its last symbol gets the </w> suffix.
            ids.AddRange(_bpe.EncodeToIds(normalized.AsSpan(start, position - start), considerPreTokenization: false, considerNormalization: false));
        }

        if (ids.Count > limit)
        {
            ids.RemoveRange(limit, ids.Count - limit);
        }

        return ids;
    }

    /// <summary>
    /// CLIP's pre-tokenizer, <see cref="PreTokenizerPattern"/> applied per code point (a .NET regex sees UTF-16 units, so
    /// <c>\p{L}</c> would miss letters outside the BMP such as 𝓯𝓪𝓷𝓬𝔂 or CJK extension B). Special tokens are split out
    /// first, as Hugging Face does with added tokens. White space between pre-tokens is skipped.
    /// </summary>
    /// <returns>False at the end of the text; otherwise the pre-token is [<paramref name="start"/>, <paramref name="position"/>)
    /// and <paramref name="specialId"/> is the id of a special token or −1.</returns>
    private bool NextPreToken(string text, ref int position, out int start, out int specialId)
    {
        specialId = -1;
        while (position < text.Length && Rune.IsWhiteSpace(RuneAt(text, position, out var width)))
        {
            position += width;
        }

        start = position;
        if (position >= text.Length)
        {
            return false;
        }

        if (SpecialAt(text, position) is { } special)
        {
            specialId = special.Id;
            position += special.Length;
            return true;
        }

        var rune = RuneAt(text, position, out var runeWidth);
        if (rune.Value == '\'' && ContractionLength(text, position) is var contraction && contraction > 0)
        {
            position += contraction;
        }
        else if (Rune.IsLetter(rune))
        {
            position += runeWidth;
            while (position < text.Length && Rune.IsLetter(RuneAt(text, position, out var width)))
            {
                position += width;
            }
        }
        else if (Rune.IsNumber(rune))
        {
            position += runeWidth;
        }
        else
        {
            position += runeWidth;
            while (position < text.Length && SpecialAt(text, position) is null)
            {
                var next = RuneAt(text, position, out var width);
                if (Rune.IsWhiteSpace(next) || Rune.IsLetter(next) || Rune.IsNumber(next))
                {
                    break;
                }

                position += width;
            }
        }

        return true;
    }

    private (int Id, int Length)? SpecialAt(string text, int position)
    {
        if (text[position] != '<')
        {
            return null;
        }

        var rest = text.AsSpan(position);
        if (rest.StartsWith(StartOfTextToken, StringComparison.OrdinalIgnoreCase))
        {
            return (StartOfTextId, StartOfTextToken.Length);
        }

        return rest.StartsWith(EndOfTextToken, StringComparison.OrdinalIgnoreCase) ? (EndOfTextId, EndOfTextToken.Length) : null;
    }

    /// <summary>Length of <c>'s|'t|'re|'ve|'m|'ll|'d</c> (case-insensitive) at <paramref name="position"/>, or 0.</summary>
    private static int ContractionLength(string text, int position)
    {
        var rest = text.AsSpan(position + 1);
        foreach (var suffix in Contractions)
        {
            if (rest.StartsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return suffix.Length + 1;
            }
        }

        return 0;
    }

    /// <summary>The code point at <paramref name="position"/>; a lone surrogate reads as U+FFFD of width 1.</summary>
    private static Rune RuneAt(string text, int position, out int width)
    {
        if (Rune.DecodeFromUtf16(text.AsSpan(position), out var rune, out width) != System.Buffers.OperationStatus.Done)
        {
            width = 1;
            return Rune.ReplacementChar;
        }

        return rune;
    }

    private int Fill(List<int> content, Span<long> destination)
    {
        destination[0] = StartOfTextId;
        for (var i = 0; i < content.Count; i++)
        {
            destination[i + 1] = content[i];
        }

        destination[content.Count + 1] = EndOfTextId;
        return content.Count + 2;
    }

    /// <summary>Python's <c>str.split()</c> separators: Unicode white space plus U+001C…U+001F.</summary>
    private static bool IsPythonWhiteSpace(char c) => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f');
}
