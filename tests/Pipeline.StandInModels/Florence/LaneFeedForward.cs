using Pipeline.StandInModels.Transformers;

namespace Pipeline.StandInModels.Florence;

/// <summary>
/// The weights of one decoder MLP (fc1 → GELU → fc2): random like any other layer on the content dimensions, with a
/// few units per schedule lane that read only that lane and write it back amplified (every layer: the post-LNs shrink
/// the lanes a little each time, the layer's MLP restores them) and, in the last layer, into the class lane of the same
/// kind, which the tied lm_head turns into a lift for every token of that kind.
/// </summary>
public sealed class LaneFeedForward
{
    /// <summary>Per layer the schedule lanes grow by this factor + 1 before the MLP's layer norm.</summary>
    public const double KeepGain = 1.5;

    /// <summary>Class lane written by the last layer, as a multiple of the schedule lane it reads.</summary>
    public const double WriteGain = 3.0;

    /// <summary>
    /// Largest weight of a lane unit, in standard deviations of its matrix's random weights: the per-tensor int8 scale
    /// of the quantized decoder stays fine enough for the random weights. More units per lane make up the gain.
    /// </summary>
    private const double LargestWeightInStds = 8;

    private readonly int _hidden;
    private readonly int _units;
    private readonly int _perLane;
    private readonly double _readWeight;
    private readonly double _fc1Std;
    private readonly double _fc2Std;
    private readonly bool _writesClassLanes;

    public LaneFeedForward(FlorenceDimensions dims, double outputStd, bool writesClassLanes)
    {
        ArgumentNullException.ThrowIfNull(dims);
        _hidden = dims.Hidden;
        _units = dims.FeedForward;
        _fc1Std = 1 / Math.Sqrt(_hidden);
        _fc2Std = outputStd;
        _writesClassLanes = writesClassLanes;
        _readWeight = LargestWeightInStds * _fc1Std;
        var gainPerUnit = _readWeight * LargestWeightInStds * _fc2Std;
        _perLane = (int)Math.Ceiling(Math.Max(KeepGain, WriteGain) / gainPerUnit);
        if (3 * _perLane > _units / 4)
        {
            throw new ArgumentException($"The MLP ({_units} units) is too narrow for {_perLane} lane units per kind.");
        }
    }

    /// <summary>The units of the three lanes (the last ones of the layer).</summary>
    public int LaneUnits => 3 * _perLane;

    public float[] Fc1Weight(WeightStore weights, string name)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var values = DecoderLanes.ReadContentOnly(weights.Normal(name, _fc1Std, 0, (long)_hidden * _units), _hidden, _units);
        for (var row = 0; row < _hidden; row++)
        {
            Array.Clear(values, (row * _units) + _units - LaneUnits, LaneUnits);
        }

        foreach (var (kind, unit) in LaneUnitsByKind())
        {
            values[(DecoderLanes.Schedule(_hidden, kind) * _units) + unit] = (float)_readWeight;
        }

        return values;
    }

    public float[] Fc1Bias(WeightStore weights, string name)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var values = weights.Normal(name, 0.02, 0, _units);
        Array.Clear(values, _units - LaneUnits, LaneUnits);
        return values;
    }

    public float[] Fc2Weight(WeightStore weights, string name)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var values = DecoderLanes.WriteContentOnly(weights.Normal(name, _fc2Std, 0, (long)_units * _hidden), _hidden);
        Array.Clear(values, (_units - LaneUnits) * _hidden, LaneUnits * _hidden);
        // A lane unit outputs about _readWeight × lane (GELU is near linear there): spread each gain over its units.
        var keep = KeepGain / (_perLane * _readWeight);
        var write = WriteGain / (_perLane * _readWeight);
        foreach (var (kind, unit) in LaneUnitsByKind())
        {
            values[(unit * _hidden) + DecoderLanes.Schedule(_hidden, kind)] = (float)keep;
            if (_writesClassLanes)
            {
                values[(unit * _hidden) + DecoderLanes.Class(_hidden, kind)] = (float)write;
            }
        }

        return values;
    }

    /// <summary>Random bias less what the content units' mean GELU output would add to every token (see CenteredLinear).</summary>
    public float[] Fc2Bias(WeightStore weights, string name, string weightName)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var bias = weights.Normal(name, 0.02, 0, _hidden);
        var weight = Fc2Weight(weights, weightName);
        var geluMean = LayerBuilder.GeluMean(1.0);
        for (var unit = 0; unit < _units - LaneUnits; unit++)
        {
            for (var j = 0; j < _hidden; j++)
            {
                bias[j] -= (float)(geluMean * weight[(unit * _hidden) + j]);
            }
        }

        return DecoderLanes.WriteContentOnly(bias, _hidden);
    }

    private IEnumerable<(TokenKind Kind, int Unit)> LaneUnitsByKind()
    {
        var first = _units - LaneUnits;
        foreach (var kind in Enum.GetValues<TokenKind>())
        {
            for (var j = 0; j < _perLane; j++)
            {
                yield return (kind, first + ((int)kind * _perLane) + j);
            }
        }
    }
}
