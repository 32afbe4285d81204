namespace Pipeline.Inference.Contract;

/// <summary>What one model produced for one image, as a value; it knows which fields of the result it fills.</summary>
public abstract record ModelResult
{
    public abstract void AddTo(IResultSheet sheet, ModelIdentity by);
}

/// <summary>One model's result for one image, with who produced it and how long the model's batched run took.</summary>
public sealed record ModelOutcome(ModelIdentity Model, ModelRole Role, ModelResult Result, double ElapsedMs)
{
    public void AddTo(IResultSheet sheet) => Result.AddTo(sheet, Model);
}
