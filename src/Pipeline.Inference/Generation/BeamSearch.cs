using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference.Generation;

/// <summary>
/// Hugging Face beam search over the whole batch at once (images × beams rows): log-softmax scores with the
/// logits processors applied, 2×beams candidates per image, finished hypotheses scored by length penalty.
/// </summary>
internal static class BeamSearch
{
    public static List<long>[] Run(
        IDecoderStep decoder, DecoderState encoded, GenerationSettings settings, RunOptions runOptions, CancellationToken cancellationToken)
    {
        var images = encoded.Rows;
        var beams = settings.NumBeams;
        var searches = Enumerable.Range(0, images).Select(_ => new ImageBeams(beams, settings)).ToArray();

        // Every beam of an image starts from the same encoder states and the start token.
        var state = encoded.Select(Enumerable.Range(0, images * beams).Select(row => row / beams).ToList());
        var rows = Enumerable.Range(0, images).SelectMany(image => Enumerable.Range(0, beams).Select(beam => (image, beam))).ToList();
        try
        {
            while (rows.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var tokens = rows.Select(r => searches[r.image].Live[r.beam].Tokens[^1]).ToList();
                var scores = decoder.Step(state, tokens, runOptions);

                var nextRows = new List<(int image, int beam)>();
                var sourceRows = new List<int>();
                foreach (var group in Enumerable.Range(0, rows.Count).GroupBy(row => rows[row].image))
                {
                    var search = searches[group.Key];
                    var rowIndices = group.ToList();
                    var next = search.Advance(rowIndices.Select(row => scores[row]).ToList());
                    if (search.Done)
                    {
                        continue;
                    }

                    for (var beam = 0; beam < next.Count; beam++)
                    {
                        nextRows.Add((group.Key, beam));
                        sourceRows.Add(rowIndices[next[beam]]);
                    }
                }

                var reordered = nextRows.Count > 0 ? state.Select(sourceRows) : null;
                state.Dispose();
                state = reordered!;
                rows = nextRows;
            }

            return searches.Select(s => s.Best()).ToArray();
        }
        finally
        {
            state?.Dispose();
        }
    }

    private sealed record Beam(List<long> Tokens, double Score);

    /// <summary>The live beams and finished hypotheses of one image.</summary>
    private sealed class ImageBeams
    {
        private readonly int _beams;
        private readonly GenerationSettings _settings;
        private readonly List<Beam> _finished = [];

        public ImageBeams(int beams, GenerationSettings settings)
        {
            _beams = beams;
            _settings = settings;
            // Only the first beam is live at the start, otherwise all beams would pick the same first tokens.
            Live = Enumerable.Range(0, beams)
                .Select(b => new Beam([settings.DecoderStartTokenId], b == 0 ? 0 : double.NegativeInfinity))
                .ToList();
        }

        public List<Beam> Live { get; private set; }

        public bool Done { get; private set; }

        /// <summary>Takes one step's scores for this image's beams; returns, per new beam, the index of the beam it extends.</summary>
        public List<int> Advance(List<float[]> logits)
        {
            var candidates = new List<(double Score, int Beam, int Token)>();
            for (var beam = 0; beam < Live.Count; beam++)
            {
                var scores = LogSoftmax(logits[beam]);
                LogitsProcessors.Apply(scores, Live[beam].Tokens, _settings);
                foreach (var (token, score) in TopK(scores, 2 * _beams))
                {
                    candidates.Add((Live[beam].Score + score, beam, token));
                }
            }

            candidates.Sort((a, b) => b.Score.CompareTo(a.Score));
            var next = new List<Beam>(_beams);
            var sources = new List<int>(_beams);
            for (var rank = 0; rank < candidates.Count && next.Count < _beams; rank++)
            {
                var (score, beam, token) = candidates[rank];
                if (double.IsNegativeInfinity(score))
                {
                    break;
                }

                var tokens = new List<long>(Live[beam].Tokens) { token };
                if (_settings.IsEos(token))
                {
                    // As in Hugging Face: an EOS ranked below the beam width is not a hypothesis worth keeping.
                    if (rank < _beams)
                    {
                        AddFinished(new Beam(tokens, score));
                    }
                }
                else
                {
                    next.Add(new Beam(tokens, score));
                    sources.Add(beam);
                }
            }

            var length = next.Count > 0 ? next[0].Tokens.Count : 0;
            if (next.Count == 0 || length >= _settings.MaxLength || IsFinished(next))
            {
                foreach (var beam in next)
                {
                    AddFinished(beam);
                }

                Done = true;
                return [];
            }

            Live = next;
            return sources;
        }

        public List<long> Best() => _finished.Count == 0
            ? Live[0].Tokens
            : _finished.MaxBy(b => Normalized(b))!.Tokens;

        private bool IsFinished(List<Beam> next)
        {
            if (_finished.Count < _beams)
            {
                return false;
            }

            if (_settings.EarlyStopping)
            {
                return true;
            }

            // No live beam can still beat the worst kept hypothesis.
            var bestPossible = next[0].Score / Math.Pow(next[0].Tokens.Count - 1, _settings.LengthPenalty);
            return bestPossible <= _finished.Min(Normalized);
        }

        private void AddFinished(Beam beam)
        {
            _finished.Add(beam);
            if (_finished.Count > _beams)
            {
                _finished.Remove(_finished.MinBy(Normalized)!);
            }
        }

        // Generated tokens only: the start token is not part of what the model chose.
        private double Normalized(Beam beam) => beam.Score / Math.Pow(Math.Max(1, beam.Tokens.Count - 1), _settings.LengthPenalty);
    }

    private static float[] LogSoftmax(float[] logits)
    {
        var max = float.NegativeInfinity;
        foreach (var value in logits)
        {
            max = Math.Max(max, value);
        }

        double sum = 0;
        foreach (var value in logits)
        {
            sum += Math.Exp(value - max);
        }

        var logSum = (float)Math.Log(sum) + max;
        var result = new float[logits.Length];
        for (var i = 0; i < logits.Length; i++)
        {
            result[i] = logits[i] - logSum;
        }

        return result;
    }

    private static List<(int Token, float Score)> TopK(float[] scores, int k)
    {
        var best = new PriorityQueue<int, float>(k + 1);
        for (var i = 0; i < scores.Length; i++)
        {
            if (best.Count < k)
            {
                best.Enqueue(i, scores[i]);
            }
            else if (best.TryPeek(out _, out var lowest) && scores[i] > lowest)
            {
                best.DequeueEnqueue(i, scores[i]);
            }
        }

        var result = new List<(int Token, float Score)>(best.Count);
        while (best.TryDequeue(out var token, out var score))
        {
            result.Add((token, score));
        }

        return result;
    }
}
