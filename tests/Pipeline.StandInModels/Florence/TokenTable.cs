using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Transformers;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;
using D = Pipeline.StandInModels.Florence.FlorenceDimensions;

namespace Pipeline.StandInModels.Florence;

/// <summary>
/// The shared token embedding [51289, hidden] of Florence-2's BART: embed_tokens.onnx looks rows up in it and the
/// decoder's lm_head is its transpose (tie_word_embeddings). <c>scale_embedding</c> is false, as in the real config,
/// so rows are used unscaled. Every row's content part (all but the <see cref="DecoderLanes"/>) has the same norm and
/// mean zero, so no token wins arg-maxes for every input and no constant offset in the decoder's output favours some
/// rows; the location tokens, the label words and EOS also carry <see cref="ClassValue"/> in their class lane.
/// </summary>
public sealed class TokenTable(FlorenceDimensions dims, long seed, IReadOnlyCollection<int> wordIds)
{
    public const string Name = "shared.weight";

    /// <summary>Per-dimension scale of the content part.</summary>
    public const double ContentStd = 0.1;

    /// <summary>
    /// The class-lane value in content standard deviations: large enough that the decoder's class lane lifts every
    /// token of the scheduled kind above the best content match of all 51,289 rows, small enough for per-tensor int8.
    /// </summary>
    public const double ClassValueInStds = 8;

    private readonly HashSet<int> _words = [.. wordIds];
    private float[]? _values;

    public static double ClassValue => ClassValueInStds * ContentStd;

    public long[] Shape => [D.VocabSize, dims.Hidden];

    public TokenKind? KindOf(int id) =>
        FlorenceTokens.IsLocation(id) ? TokenKind.Location
        : id == D.EndOfSequenceId ? TokenKind.End
        : _words.Contains(id) ? TokenKind.Word
        : null;

    public float[] Values()
    {
        if (_values is not null)
        {
            return _values;
        }

        var hidden = dims.Hidden;
        var content = DecoderLanes.ContentWidth(hidden);
        var random = DeterministicRandom.ForTensor(seed, Name);
        var values = new float[(long)D.VocabSize * hidden];
        var row = new double[content];
        for (var id = 0; id < D.VocabSize; id++)
        {
            double mean = 0;
            for (var j = 0; j < content; j++)
            {
                row[j] = random.NextNormal();
                mean += row[j];
            }

            mean /= content;
            double norm = 0;
            for (var j = 0; j < content; j++)
            {
                row[j] -= mean;
                norm += row[j] * row[j];
            }

            var scale = ContentStd * Math.Sqrt(content) / Math.Sqrt(norm);
            var span = values.AsSpan(id * hidden, hidden);
            for (var j = 0; j < content; j++)
            {
                span[j] = (float)(row[j] * scale);
            }

            if (KindOf(id) is { } kind)
            {
                span[DecoderLanes.Class(hidden, kind)] = (float)ClassValue;
            }
        }

        _values = values;
        return values;
    }

    /// <summary>Rows of <paramref name="ids"/>: Gather, or, quantized, Gather on the int8 table + DequantizeLinear.</summary>
    public string Lookup(LayerBuilder l, string ids, string? output = null)
    {
        ArgumentNullException.ThrowIfNull(l);
        var g = l.G;
        if (l.Weights.Quantization == WeightQuantization.None)
        {
            return g.Gather(l.Weights.FullPrecision(g, Name, Shape, Values), ids, output: output);
        }

        var quantized = l.Weights.Quantized(g, Name, Shape, Values);
        return g.DequantizeLinear(g.Gather(quantized.Quantized, ids), quantized.Scale, quantized.ZeroPoint, output);
    }

    /// <summary>
    /// logits [batch, sequence, vocab] = h · tableᵀ: Gemm with transB on float weights; MatMulInteger on the transposed
    /// int8 table when quantized.
    /// </summary>
    public string Logits(LayerBuilder l, string h, string output)
    {
        ArgumentNullException.ThrowIfNull(l);
        var g = l.G;
        long hidden = dims.Hidden;
        if (l.Weights.Quantization == WeightQuantization.None)
        {
            var table = l.Weights.FullPrecision(g, Name, Shape, Values);
            var flat = g.Gemm(g.Reshape(h, [-1, hidden]), table, transB: true);
            var batchAndSequence = g.Slice(g.Shape(h), g.Int64s([0]), g.Int64s([2]));
            return g.Reshape(flat, g.Concat([batchAndSequence, g.Int64s([D.VocabSize])], axis: 0), output);
        }

        var quantized = l.Weights.Quantized(g, Name, Shape, Values);
        var (hq, hScale, hZeroPoint) = l.QuantizeActivation(h);
        var integer = g.MatMulInteger(hq, g.Transpose(quantized.Quantized, [1, 0]), hZeroPoint, quantized.ZeroPoint);
        return g.Mul(g.Cast(integer, DataType.Float), g.Mul(hScale, quantized.Scale), output);
    }
}
