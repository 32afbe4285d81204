namespace Pipeline.StandInModels.Florence;

/// <summary>
/// The last <see cref="Count"/> dimensions of the decoder's residual stream, kept apart from what attention and the
/// MLPs read and write, so the output schedule survives every post-LayerNorm of BART's decoder:
/// <list type="bullet">
/// <item>three schedule lanes (one per <see cref="TokenKind"/>): the decoder position embedding puts the kind that
/// position must produce there; a few MLP units of every layer re-amplify it against the decay of the layer norms;</item>
/// <item>three class lanes: every token row of the shared embedding holds its own kind there, so the tied lm_head gives
/// all tokens of the kind in the class lane a common lift; the last layer's MLP copies the schedule into them.</item>
/// </list>
/// The embedding layer norm zeroes the class lanes of its input, so the previous token's kind never reaches them.
/// </summary>
public static class DecoderLanes
{
    public const int Count = 6;

    public static int ContentWidth(int hidden) => hidden - Count;

    public static int Schedule(int hidden, TokenKind kind) => hidden - Count + (int)kind;

    public static int Class(int hidden, TokenKind kind) => hidden - 3 + (int)kind;

    public static bool IsLane(int hidden, int dimension) => dimension >= hidden - Count;

    public static bool IsClassLane(int hidden, int dimension) => dimension >= hidden - 3;

    /// <summary>Zeroes the rows of lane dimensions: a layer reading the residual stream sees only its content.</summary>
    public static float[] ReadContentOnly(float[] weight, int hidden, int outFeatures)
    {
        for (var row = hidden - Count; row < hidden; row++)
        {
            Array.Clear(weight, row * outFeatures, outFeatures);
        }

        return weight;
    }

    /// <summary>Zeroes the columns (and bias entries) of lane dimensions: a layer writing the residual stream leaves them.</summary>
    public static float[] WriteContentOnly(float[] weightOrBias, int hidden)
    {
        for (var start = 0; start < weightOrBias.Length; start += hidden)
        {
            Array.Clear(weightOrBias, start + hidden - Count, Count);
        }

        return weightOrBias;
    }
}
