namespace Pipeline.Inference.Captioning;

/// <summary>Which captioner writes the alt-texts (section <c>Captioning</c>).</summary>
public sealed class CaptioningOptions
{
    public const string Section = "Captioning";

    /// <summary>
    /// <c>Onnx</c>: the built-in captioner of <c>Models:Captioner</c> (none when its path is empty). <c>OpenAI</c>: an
    /// OpenAI-compatible chat-completions endpoint (<c>Captioning:OpenAI</c>): OpenAI, Azure OpenAI, vLLM, Ollama,
    /// llama.cpp.
    /// </summary>
    public CaptioningBackend Backend { get; set; } = CaptioningBackend.Onnx;
}

public enum CaptioningBackend
{
    Onnx,
    OpenAI,
}
