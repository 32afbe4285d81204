using Pipeline.Inference.Ocr;

namespace Pipeline.Worker.Stages.Reading;

/// <summary>The configured text reader (OCR), or none (Ocr:Enabled false or no Ocr:Path).</summary>
public sealed class OptionalTextReader(ITextReader? instance)
{
    public ITextReader? Instance { get; } = instance;
}
