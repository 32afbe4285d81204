namespace Pipeline.Inference.Tokenizers.SentencePiece;

/// <summary>
/// A SentencePiece Unigram model (tokenizer.json <c>model.type = "Unigram"</c>): the most probable segmentation of a
/// pre-token into pieces by Viterbi over the pieces' log-probabilities. As in Hugging Face <c>tokenizers</c>: a code
/// point no piece starts with costs the lowest score minus 10 and becomes the unknown piece, consecutive unknowns fuse
/// into one, and ties keep the path found first.
/// </summary>
internal sealed class UnigramModel
{
    private const double UnknownPenalty = 10.0;

    private readonly double[] _scores;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _ids;
    private readonly int _longestPiece;
    private readonly double _unknownScore;

    public UnigramModel(IReadOnlyList<(string Piece, double Score)> vocabulary, int unknownId)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (unknownId < 0 || unknownId >= vocabulary.Count)
        {
            throw new InvalidDataException($"The Unigram model's unk_id {unknownId} is outside its {vocabulary.Count} pieces.");
        }

        _scores = new double[vocabulary.Count];
        var ids = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (var id = 0; id < vocabulary.Count; id++)
        {
            var (piece, score) = vocabulary[id];
            _scores[id] = score;
            // A piece listed twice keeps its first id, as a trie built in vocabulary order does.
            ids.TryAdd(piece, id);
            _longestPiece = Math.Max(_longestPiece, piece.Length);
        }

        _ids = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        UnknownId = unknownId;
        _unknownScore = _scores.Min() - UnknownPenalty;
    }

    public int UnknownId { get; }

    public int Count => _scores.Length;

    public int? IdOf(string piece) => _ids.TryGetValue(piece, out var id) ? id : null;

    /// <summary>Appends the ids of <paramref name="preToken"/>'s best segmentation to <paramref name="ids"/>.</summary>
    public void Encode(ReadOnlySpan<char> preToken, List<int> ids)
    {
        var length = preToken.Length;
        if (length == 0)
        {
            return;
        }

        var best = new double[length + 1];
        var from = new int[length + 1];
        var piece = new int[length + 1];
        Array.Fill(from, -1);
        from[0] = 0;
        for (var start = 0; start < length; start++)
        {
            if (from[start] < 0 || char.IsLowSurrogate(preToken[start]))
            {
                continue;
            }

            var codePoint = char.IsHighSurrogate(preToken[start]) && start + 1 < length && char.IsLowSurrogate(preToken[start + 1]) ? 2 : 1;
            var hasSingle = false;
            var longest = Math.Min(_longestPiece, length - start);
            for (var size = 1; size <= longest; size++)
            {
                if (_ids.TryGetValue(preToken.Slice(start, size), out var id))
                {
                    Offer(start, start + size, id, best[start] + _scores[id]);
                    hasSingle |= size == codePoint;
                }
            }

            if (!hasSingle)
            {
                Offer(start, start + codePoint, UnknownId, best[start] + _unknownScore);
            }
        }

        var found = new List<int>();
        for (var end = length; end > 0; end = from[end])
        {
            found.Add(piece[end]);
        }

        for (var i = found.Count - 1; i >= 0; i--)
        {
            if (found[i] != UnknownId || ids.Count == 0 || ids[^1] != UnknownId || i == found.Count - 1)
            {
                ids.Add(found[i]);
            }
        }

        void Offer(int start, int end, int id, double score)
        {
            if (from[end] < 0 || score > best[end])
            {
                best[end] = score;
                from[end] = start;
                piece[end] = id;
            }
        }
    }
}
