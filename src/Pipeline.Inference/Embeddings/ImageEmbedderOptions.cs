using System.ComponentModel.DataAnnotations;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Embeddings;

/// <summary>The CLIP image tower to load (section <c>Models:ImageEmbedder</c>).</summary>
public sealed class ImageEmbedderOptions : IModelFolderOptions
{
    public const string Section = "Models:ImageEmbedder";

    public static string SectionName => Section;

    /// <summary>
    /// A folder in the Xenova/clip-vit-base-patch32 layout: <c>onnx/vision_model{variant}.onnx</c> and
    /// <c>preprocessor_config.json</c>.
    /// </summary>
    /// <remarks>Empty: no embeddings (alt-text only; such images cannot be found by search).</remarks>
    public string Path { get; set; } = "";

    public bool IsWanted => !string.IsNullOrWhiteSpace(Path);

    /// <summary><c>fp32</c> (vision_model.onnx) or <c>quantized</c> (vision_model_quantized.onnx).</summary>
    [RegularExpression("^(fp32|quantized)$", ErrorMessage = "Models:ImageEmbedder:Variant must be fp32 or quantized.")]
    public string Variant { get; set; } = "fp32";

    /// <summary>Stored with each vector; defaults to the stand-in marker's id or the folder name.</summary>
    public string? ModelId { get; set; }
}
