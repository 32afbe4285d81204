using Pipeline.Inference.Ocr;

namespace Pipeline.Worker.Stages.Reading;

/// <summary>The configured text reader (OCR), or none (Ocr:Enabled false or no Ocr:Path).</summary>
public sealed class OptionalTextReader(ITextReader? instance) : IDisposable
{
    public ITextReader? Instance { get; } = instance;

    // The container disposes this wrapper, not the model it was handed: the model's ONNX sessions go with it.
    public void Dispose() => (Instance as IDisposable)?.Dispose();
}
