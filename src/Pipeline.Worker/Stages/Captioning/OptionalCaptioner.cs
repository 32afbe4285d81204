using Pipeline.Inference.Captioning;

namespace Pipeline.Worker.Stages.Captioning;

/// <summary>The configured captioner, or none (Models:Captioner:Path empty): images then get embeddings only.</summary>
public sealed class OptionalCaptioner(IImageCaptioner? instance) : IDisposable
{
    public IImageCaptioner? Instance { get; } = instance;

    // The container disposes this wrapper, not the model it was handed: the model's ONNX sessions go with it.
    public void Dispose() => (Instance as IDisposable)?.Dispose();
}
