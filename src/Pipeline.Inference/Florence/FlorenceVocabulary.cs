namespace Pipeline.Inference.Florence;

/// <summary>
/// The 1,024 tokens Florence-2 adds to BART's vocabulary, in the order Microsoft's <c>processing_florence2.py</c> adds
/// them (<c>tokens_to_add</c>), from id 50265: so <c>&lt;loc_N&gt;</c> is 50269 + N and the vocabulary has the 51,289
/// ids of the model's config (<c>vocab_size</c>).
/// </summary>
public static class FlorenceVocabulary
{
    /// <summary>The first added id: BART's vocabulary ends with <c>&lt;mask&gt;</c> at 50264.</summary>
    public const int FirstAddedId = 50265;

    /// <summary>Size of the whole vocabulary, BART's and the added tokens.</summary>
    public const int Size = 51289;

    /// <summary>Location bins per image side.</summary>
    public const int LocationBins = 1000;

    public const int BeginningOfSequenceId = 0;
    public const int PaddingId = 1;
    public const int EndOfSequenceId = 2;

    /// <summary>The added tokens in id order.</summary>
    public static IReadOnlyList<string> AddedTokens { get; } =
    [
        "<od>", "</od>", "<ocr>", "</ocr>",
        .. Enumerable.Range(0, LocationBins).Select(Location),
        "<cap>", "</cap>", "<ncap>", "</ncap>", "<dcap>", "</dcap>", "<grounding>", "</grounding>", "<seg>", "</seg>", "<sep>",
        "<region_cap>", "</region_cap>",
        // Sic: Microsoft's spelling, which the model was trained with.
        "<region_to_desciption>", "</region_to_desciption>",
        "<proposal>", "</proposal>", "<poly>", "</poly>", "<and>",
    ];

    /// <summary>The token of location bin <paramref name="bin"/> (0–999).</summary>
    public static string Location(int bin) => $"<loc_{bin}>";

    /// <summary>The id of location bin <paramref name="bin"/>.</summary>
    public static int LocationId(int bin) => FirstAddedId + 4 + bin;
}
