using Microsoft.Extensions.Configuration;

namespace Pipeline.Inference.Captioning;

/// <summary>
/// Which captioner writes the alt-texts (section <c>Captioning</c>). The ONNX captioner's own settings are a model
/// folder's (<see cref="CaptionerOptions"/>, <c>Models:Captioner</c>), the chat backend's are
/// <see cref="Chat.ChatCaptionerOptions"/> (<c>Captioning:OpenAI</c>): one class per section, this one choosing.
/// </summary>
public sealed class CaptioningOptions
{
    public const string Section = "Captioning";

    /// <summary>
    /// <c>Onnx</c>: the built-in captioner of <c>Models:Captioner</c> (none when its path is empty). <c>Florence</c>:
    /// Florence-2 (<c>Models:Florence</c>): alt-text, a long description and objects from one local model.
    /// <c>OpenAI</c>: an OpenAI-compatible chat-completions endpoint (<c>Captioning:OpenAI</c>): OpenAI, Azure OpenAI,
    /// vLLM, Ollama, llama.cpp.
    /// </summary>
    public CaptioningBackend Backend { get; set; } = CaptioningBackend.Onnx;

    /// <summary>
    /// Which backend writes the alt-texts; read before the options are bound, because it decides which captioner and
    /// which settings are registered at all.
    /// </summary>
    public static CaptioningBackend BackendIn(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<CaptioningOptions>()?.Backend ?? CaptioningBackend.Onnx;
}

public enum CaptioningBackend
{
    Onnx,
    OpenAI,
    Florence,
}
