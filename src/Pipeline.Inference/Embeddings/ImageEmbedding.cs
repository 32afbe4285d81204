using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Embeddings;

/// <summary>A picture's unit-length vector: stored with the model's id, so vectors of different models never meet.</summary>
public sealed record ImageEmbedding(float[] Vector) : ModelResult
{
    public override void AddTo(IResultSheet sheet, ModelIdentity by)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        sheet.AddEmbedding(by, Vector);
    }
}
