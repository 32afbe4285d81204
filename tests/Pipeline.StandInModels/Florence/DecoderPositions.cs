using Pipeline.StandInModels.Onnx;
using D = Pipeline.StandInModels.Florence.FlorenceDimensions;

namespace Pipeline.StandInModels.Florence;

/// <summary>
/// The decoder's learned positions [1026, hidden] (BART: position p reads row p + 2). Content dimensions are random
/// like the token rows; the row of position p also carries <see cref="ScheduleValue"/> in the schedule lane of
/// <see cref="OutputSchedule.At"/>(p + 1): the input at position p predicts the token at index p + 1.
/// </summary>
public sealed class DecoderPositions(FlorenceDimensions dims, long seed, int? eosAfterTokens)
{
    public const string Name = "decoder.embed_positions.weight";

    /// <summary>Share of the schedule lane in the decoder's first hidden state (after layernorm_embedding).</summary>
    private const double ScheduleShare = 0.4;

    /// <summary>
    /// Factor on the schedule value where EOS is due: a location or a word only has to beat the other tokens' content
    /// with the best of its 1,000 or 200 tokens, EOS with its one row, so it needs the larger lift.
    /// </summary>
    private const double EndBoost = 5;

    public long[] Shape => [D.MaxPositions + D.PositionOffset, dims.Hidden];

    /// <summary>
    /// The lane value that makes <see cref="ScheduleShare"/> of the normalised sum token row + position row (both with
    /// content norm 0.1·√width; the token's class lane counts in the norm, though the layer norm then zeroes it).
    /// </summary>
    public double ScheduleValue
    {
        get
        {
            var content = DecoderLanes.ContentWidth(dims.Hidden);
            var rest = (2 * TokenTable.ContentStd * TokenTable.ContentStd * content) + (TokenTable.ClassValue * TokenTable.ClassValue);
            return Math.Sqrt(ScheduleShare / (1 - ScheduleShare) * rest);
        }
    }

    public float[] Values()
    {
        var hidden = dims.Hidden;
        var random = DeterministicRandom.ForTensor(seed, Name);
        var values = new float[Shape[0] * hidden];
        for (var row = 0; row < Shape[0]; row++)
        {
            var span = values.AsSpan(row * hidden, hidden);
            for (var j = 0; j < DecoderLanes.ContentWidth(hidden); j++)
            {
                span[j] = (float)(TokenTable.ContentStd * random.NextNormal());
            }

            // Rows 0 and 1 are never read (the offset).
            if (row >= D.PositionOffset)
            {
                var kind = OutputSchedule.At(row - D.PositionOffset + 1, eosAfterTokens);
                span[DecoderLanes.Schedule(hidden, kind)] = (float)(kind == TokenKind.End ? EndBoost * ScheduleValue : ScheduleValue);
            }
        }

        return values;
    }
}
