namespace Pipeline.StandInModels.Florence;

/// <summary>
/// The shape of the stand-in's greedy answers, by position: label words, then eight <c>&lt;loc_N&gt;</c> tokens, three
/// times (1, 2 and 3 words), then EOS. Eight locations are one quadrilateral for <c>&lt;OCR_WITH_REGION&gt;</c> and two
/// boxes with the same label for <c>&lt;OD&gt;</c>, so both post-processings find results in every answer. Which word or
/// location fills a position depends on the image, the prompt and the tokens so far; only the kind is fixed here.
/// </summary>
public static class OutputSchedule
{
    public const int LocationsPerRun = 8;

    /// <summary>Tokens of one period: (1 + 8) + (2 + 8) + (3 + 8).</summary>
    public const int Period = 30;

    private static readonly TokenKind[] Pattern =
    [
        .. Run(words: 1),
        .. Run(words: 2),
        .. Run(words: 3),
    ];

    /// <summary>
    /// The kind of the token at <paramref name="index"/> of the decoder sequence: 0 is the start token (&lt;/s&gt;), 1 the
    /// &lt;s&gt; that generation_config forces, 2 the first token the model chooses. From index
    /// <paramref name="eosAfterTokens"/> + 1 on, EOS.
    /// </summary>
    public static TokenKind At(int index, int? eosAfterTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (eosAfterTokens is { } last && index > last)
        {
            return TokenKind.End;
        }

        // Indices 0 and 1 are never chosen by the model; a word keeps them ordinary.
        return index < 2 ? TokenKind.Word : Pattern[(index - 2) % Period];
    }

    private static IEnumerable<TokenKind> Run(int words) =>
        Enumerable.Repeat(TokenKind.Word, words).Concat(Enumerable.Repeat(TokenKind.Location, LocationsPerRun));
}
