using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference.Generation;

/// <summary>One step of a merged decoder over every row being decoded: the next token of each row in, its scores out.</summary>
internal interface IDecoderStep
{
    /// <summary>The cache grows inside <paramref name="state"/>.</summary>
    /// <returns>Per row, the scores over the vocabulary for its next token.</returns>
    float[][] Step(DecoderState state, IReadOnlyList<long> tokens, RunOptions runOptions);
}
