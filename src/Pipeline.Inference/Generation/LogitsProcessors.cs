namespace Pipeline.Inference.Generation;

/// <summary>
/// The logits processors of Hugging Face generation, in their order: repetition penalty, no-repeat n-gram,
/// bad words, minimum length, forced first and last tokens. They edit one row of scores for one sequence in place.
/// </summary>
internal static class LogitsProcessors
{
    public static void Apply(Span<float> scores, IReadOnlyList<long> sequence, GenerationSettings settings)
    {
        if (settings.RepetitionPenalty != 1f)
        {
            PenalizeRepetition(scores, sequence, settings.RepetitionPenalty);
        }

        if (settings.NoRepeatNgramSize > 0)
        {
            BanRepeatedNgrams(scores, sequence, settings.NoRepeatNgramSize);
        }

        if (settings.BadWordsIds.Count > 0)
        {
            BanBadWords(scores, sequence, settings.BadWordsIds);
        }

        if (sequence.Count < settings.MinLength)
        {
            foreach (var eos in settings.EosTokenIds)
            {
                scores[eos] = float.NegativeInfinity;
            }
        }

        // The first generated token, and the last one the length allows, are the config's to choose.
        if (settings.ForcedBosTokenId is { } bos && sequence.Count == 1)
        {
            Force(scores, [bos]);
        }

        if (settings.ForcedEosTokenId is { } eosId && sequence.Count == settings.MaxLength - 1)
        {
            Force(scores, [eosId]);
        }
    }

    private static void Force(Span<float> scores, IReadOnlyList<int> tokens)
    {
        scores.Fill(float.NegativeInfinity);
        foreach (var token in tokens)
        {
            scores[token] = 0;
        }
    }

    /// <summary>Every token already in the sequence (the start token too) becomes less likely, once per distinct id.</summary>
    private static void PenalizeRepetition(Span<float> scores, IReadOnlyList<long> sequence, float penalty)
    {
        var seen = new HashSet<long>();
        foreach (var token in sequence)
        {
            if (seen.Add(token))
            {
                ref var score = ref scores[(int)token];
                score = score < 0 ? score * penalty : score / penalty;
            }
        }
    }

    /// <summary>Bans each token that would complete an n-gram already present in the sequence.</summary>
    private static void BanRepeatedNgrams(Span<float> scores, IReadOnlyList<long> sequence, int n)
    {
        var length = sequence.Count;
        if (length + 1 < n)
        {
            return;
        }

        for (var start = 0; start + n <= length; start++)
        {
            var matchesTail = true;
            for (var k = 0; k < n - 1; k++)
            {
                if (sequence[start + k] != sequence[length - (n - 1) + k])
                {
                    matchesTail = false;
                    break;
                }
            }

            if (matchesTail)
            {
                scores[(int)sequence[start + n - 1]] = float.NegativeInfinity;
            }
        }
    }

    /// <summary>Bans the last token of each bad-word sequence when the sequence so far ends with the rest of it.</summary>
    private static void BanBadWords(Span<float> scores, IReadOnlyList<long> sequence, IReadOnlyList<IReadOnlyList<int>> badWords)
    {
        foreach (var word in badWords)
        {
            if (word.Count == 0 || word.Count - 1 > sequence.Count)
            {
                continue;
            }

            var prefixMatches = true;
            for (var k = 0; k < word.Count - 1; k++)
            {
                if (sequence[sequence.Count - (word.Count - 1) + k] != word[k])
                {
                    prefixMatches = false;
                    break;
                }
            }

            if (prefixMatches)
            {
                scores[word[^1]] = float.NegativeInfinity;
            }
        }
    }
}
