using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference.Generation;

/// <summary>
/// Greedy decoding of a whole batch together. A sequence that reaches EOS leaves the batch at once, so the
/// remaining steps run on fewer rows (the cache of finished rows is dropped, not fed with padding).
/// </summary>
internal static class GreedySearch
{
    public static List<long>[] Run(
        IDecoderStep decoder, DecoderState initial, GenerationSettings settings, RunOptions runOptions, CancellationToken cancellationToken)
    {
        var count = initial.Rows;
        var sequences = Enumerable.Range(0, count).Select(_ => new List<long> { settings.DecoderStartTokenId }).ToArray();
        var active = Enumerable.Range(0, count).ToList();
        var state = initial;
        try
        {
            while (active.Count > 0 && sequences[active[0]].Count < settings.MaxLength)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var scores = decoder.Step(state, active.Select(i => sequences[i][^1]).ToList(), runOptions);
                var stillActive = new List<int>(active.Count);
                var keptRows = new List<int>(active.Count);
                for (var row = 0; row < active.Count; row++)
                {
                    var sequence = sequences[active[row]];
                    LogitsProcessors.Apply(scores[row], sequence, settings);
                    var token = ArgMax(scores[row]);
                    sequence.Add(token);
                    if (!settings.IsEos(token))
                    {
                        stillActive.Add(active[row]);
                        keptRows.Add(row);
                    }
                }

                if (stillActive.Count > 0 && stillActive.Count < active.Count)
                {
                    var smaller = state.Select(keptRows);
                    if (!ReferenceEquals(state, initial))
                    {
                        state.Dispose();
                    }

                    state = smaller;
                }

                active = stillActive;
            }

            return sequences;
        }
        finally
        {
            if (!ReferenceEquals(state, initial))
            {
                state.Dispose();
            }
        }
    }

    /// <summary>The first index of the largest score, as transformers.js picks on ties.</summary>
    public static long ArgMax(ReadOnlySpan<float> scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
            }
        }

        return best;
    }
}
