using Pipeline.Inference.Generation;

namespace Pipeline.Tests.Unit.Generation;

public sealed class LogitsProcessorsTests
{
    private static readonly GenerationSettings Plain = new() { EosTokenIds = [9] };

    [Fact]
    public void RepetitionPenaltyDividesPositiveAndMultipliesNegativeScoresOfSeenTokensOnce()
    {
        float[] scores = [2f, -2f, 1f, 4f];

        LogitsProcessors.Apply(scores, [0, 1, 1], Plain with { RepetitionPenalty = 2f });

        Assert.Equal([1f, -4f, 1f, 4f], scores);
    }

    [Fact]
    public void NoRepeatNgramBansTheTokenThatWouldRepeatABigram()
    {
        var scores = new float[8];

        LogitsProcessors.Apply(scores, [5, 6, 7, 5], Plain with { NoRepeatNgramSize = 2 });

        Assert.Equal(float.NegativeInfinity, scores[6]);
        Assert.Equal(1, scores.Count(float.IsNegativeInfinity));
    }

    [Fact]
    public void NoRepeatTrigramNeedsTheLastTwoTokensToMatch()
    {
        var scores = new float[8];

        LogitsProcessors.Apply(scores, [1, 2, 3, 4, 2], Plain with { NoRepeatNgramSize = 3 });

        Assert.DoesNotContain(scores, float.IsNegativeInfinity);

        LogitsProcessors.Apply(scores, [1, 2, 3, 4, 1, 2], Plain with { NoRepeatNgramSize = 3 });
        Assert.Equal(float.NegativeInfinity, scores[3]);
    }

    [Fact]
    public void BadWordsBanSingleTokensAlwaysAndLastTokensOfSequencesAfterTheirPrefix()
    {
        var settings = Plain with { BadWordsIds = [[7], [3, 4]] };
        var afterOther = new float[8];
        var afterPrefix = new float[8];

        LogitsProcessors.Apply(afterOther, [0, 1], settings);
        LogitsProcessors.Apply(afterPrefix, [0, 3], settings);

        Assert.Equal([7], Banned(afterOther));
        Assert.Equal([4, 7], Banned(afterPrefix));
    }

    [Fact]
    public void MinLengthKeepsEndOfSequenceAwayUntilReached()
    {
        var early = new float[10];
        var late = new float[10];

        LogitsProcessors.Apply(early, [0, 1], Plain with { MinLength = 3 });
        LogitsProcessors.Apply(late, [0, 1, 2], Plain with { MinLength = 3 });

        Assert.Equal([9], Banned(early));
        Assert.Empty(Banned(late));
    }

    [Fact]
    public void GreedyPicksTheFirstOfEqualBestScoresAsTransformersJsDoes()
    {
        Assert.Equal(1, GreedySearch.ArgMax([0f, 3f, 1f, 3f]));
    }

    private static int[] Banned(float[] scores) =>
        Enumerable.Range(0, scores.Length).Where(i => float.IsNegativeInfinity(scores[i])).ToArray();

    [Fact]
    public void TheFirstGeneratedTokenIsForcedToTheConfiguredBeginningOfSequence()
    {
        float[] scores = [3f, 1f, 2f, 9f];
        var florence = Plain with { ForcedBosTokenId = 0, ForcedEosTokenId = 2, MaxLength = 6 };

        LogitsProcessors.Apply(scores, [2], florence);

        Assert.Equal([0f, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity], scores);
    }

    [Fact]
    public void TheLastPositionTheLengthAllowsIsForcedToEndOfSequenceAndNoneBefore()
    {
        var florence = Plain with { ForcedBosTokenId = 0, ForcedEosTokenId = 2, MaxLength = 6 };
        float[] early = [3f, 1f, 2f, 9f];
        float[] last = [3f, 1f, 2f, 9f];

        LogitsProcessors.Apply(early, [2, 0, 3, 1], florence);
        LogitsProcessors.Apply(last, [2, 0, 3, 1, 3], florence);

        Assert.Equal([3f, 1f, 2f, 9f], early);
        Assert.Equal([float.NegativeInfinity, float.NegativeInfinity, 0f, float.NegativeInfinity], last);
    }
}
