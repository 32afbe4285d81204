using Pipeline.Inference.Captioning;

namespace Pipeline.Worker.Stages.Captioning;

/// <summary>The configured captioner, or none (Models:Captioner:Path empty): images then get embeddings only.</summary>
public sealed class OptionalCaptioner(IImageCaptioner? instance)
{
    public IImageCaptioner? Instance { get; } = instance;
}
