using System.ComponentModel.DataAnnotations;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Florence;

/// <summary>
/// Florence-2 (section <c>Models:Florence</c>), the captioner when <c>Captioning:Backend</c> is <c>Florence</c>: which of
/// its tasks every image gets, and how long and how wide its decoding is.
/// </summary>
public sealed class FlorenceOptions : IModelFolderOptions
{
    public const string Section = "Models:Florence";

    public static string SectionName => Section;

    /// <summary>A folder in the onnx-community layout (<c>onnx/vision_encoder*.onnx</c>, <c>embed_tokens</c>, <c>encoder_model</c>, <c>decoder_model_merged</c>, configs, BART tokenizer).</summary>
    public string Path { get; set; } = "";

    public bool IsWanted => !string.IsNullOrWhiteSpace(Path);

    /// <summary>Which ONNX files: <c>fp32</c> (no suffix) or an 8-bit or 4-bit variant with float32 inputs (<c>quantized</c>, <c>int8</c>, <c>uint8</c>, <c>q4</c>, <c>bnb4</c>).</summary>
    [RegularExpression("^(fp32|quantized|int8|uint8|q4|bnb4)$", ErrorMessage = "Models:Florence:Variant must be fp32, quantized, int8, uint8, q4 or bnb4.")]
    public string Variant { get; set; } = "quantized";

    /// <summary>Stored with each caption; defaults to the stand-in marker's id, the fetch lock's, or the folder name.</summary>
    public string? ModelId { get; set; }

    /// <summary>The task whose answer is the alt-text: <c>&lt;CAPTION&gt;</c> (one sentence) or <c>&lt;DETAILED_CAPTION&gt;</c>.</summary>
    public string AltTextTask { get; set; } = FlorenceTask.Caption.Token;

    /// <summary>The task whose answer is the long description (empty: none); <c>&lt;MORE_DETAILED_CAPTION&gt;</c> writes a paragraph.</summary>
    public string LongDescriptionTask { get; set; } = FlorenceTask.MoreDetailedCaption.Token;

    /// <summary>The task that finds objects with boxes (empty: none): <c>&lt;OD&gt;</c> or <c>&lt;DENSE_REGION_CAPTION&gt;</c>.</summary>
    public string ObjectsTask { get; set; } = FlorenceTask.Objects.Token;

    /// <summary>Longest answer in tokens (a paragraph is about 100; location tokens count four per box).</summary>
    [Range(1, 1024)]
    public int MaxNewTokens { get; set; } = 256;

    /// <summary>Beams; null takes <c>num_beams</c> from the model's generation config (3 for Florence-2; 1 = greedy).</summary>
    [Range(1, 16)]
    public int? NumBeams { get; set; }
}
