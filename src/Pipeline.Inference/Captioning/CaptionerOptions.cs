using System.ComponentModel.DataAnnotations;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Captioning;

/// <summary>The captioner to load (section <c>Models:Captioner</c>); an empty path means no captioner.</summary>
public sealed class CaptionerOptions : IModelFolderOptions
{
    public const string Section = "Models:Captioner";

    public static string SectionName => Section;

    /// <summary>
    /// A folder in the vision-encoder-decoder layout (Mozilla/distilvit, Xenova/vit-gpt2-image-captioning):
    /// <c>onnx/encoder_model{variant}.onnx</c>, <c>onnx/decoder_model_merged{variant}.onnx</c>, config.json,
    /// generation_config.json, preprocessor_config.json, vocab.json and merges.txt.
    /// </summary>
    public string Path { get; set; } = "";

    public bool IsWanted => !string.IsNullOrWhiteSpace(Path);

    /// <summary><c>quantized</c> (the <c>_quantized</c> files Firefox uses; what <c>pipeline models fetch</c> downloads) or <c>fp32</c>.</summary>
    [RegularExpression("^(fp32|quantized)$", ErrorMessage = "Models:Captioner:Variant must be fp32 or quantized.")]
    public string Variant { get; set; } = "quantized";

    /// <summary>Stored with each caption; defaults to the stand-in marker's id or the folder name.</summary>
    public string? ModelId { get; set; }

    /// <summary>Beams for beam search; null takes <c>num_beams</c> from the model's generation config (1 = greedy).</summary>
    [Range(1, 16)]
    public int? NumBeams { get; set; }

    /// <summary>Longest sequence including the start token; null takes <c>max_length</c> from the model's config.</summary>
    [Range(2, 1024)]
    public int? MaxLength { get; set; }
}
