using System.Text.Json;
using Pipeline.Imaging.Tensors;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Embeddings;

/// <summary>
/// Where the towers of a CLIP export are and what their tensors are called. Two real layouts:
/// Xenova/clip-vit-base-patch32 (<c>onnx/vision_model*.onnx</c>: <c>pixel_values</c> → <c>image_embeds</c>,
/// <c>onnx/text_model*.onnx</c>: int64 <c>input_ids</c> → <c>text_embeds</c>) and Immich's ViT-B-32__openai
/// (<c>visual/model.onnx</c>: <c>image</c> → its first output, <c>textual/model.onnx</c>: int32 <c>text</c> [1,77]).
/// </summary>
internal sealed record ClipLayout(
    string Name,
    string VisionModel,
    string VisionInput,
    string? VisionOutput,
    string TextModel,
    string TextInput,
    string? TextOutput,
    bool TextIsInt32,
    int? TextLength,
    string TokenizerFolder,
    PreprocessorConfig Preprocessing)
{
    public static ClipLayout Detect(string folder, string variant)
    {
        if (!Directory.Exists(folder))
        {
            throw new ModelNotFoundException(
                $"The CLIP model folder '{folder}' does not exist. Fetch the model or generate a stand-in (see docs/MODELS.md).");
        }

        var immichVisual = Path.Combine(folder, "visual", "model.onnx");
        if (File.Exists(immichVisual))
        {
            return new ClipLayout(
                "immich",
                immichVisual,
                "image",
                null,
                Path.Combine(folder, "textual", "model.onnx"),
                "text",
                null,
                TextIsInt32: true,
                TextLength: 77,
                Path.Combine(folder, "textual"),
                OpenClipPreprocessing(Path.Combine(folder, "visual", "preprocess_cfg.json")));
        }

        var suffix = variant == "quantized" ? "_quantized" : "";
        var preprocessor = Path.Combine(folder, "preprocessor_config.json");
        return new ClipLayout(
            "xenova",
            Path.Combine(folder, "onnx", $"vision_model{suffix}.onnx"),
            "pixel_values",
            "image_embeds",
            Path.Combine(folder, "onnx", $"text_model{suffix}.onnx"),
            "input_ids",
            "text_embeds",
            TextIsInt32: false,
            TextLength: null,
            folder,
            File.Exists(preprocessor) ? PreprocessorConfig.Load(preprocessor) : PreprocessorConfig.Clip);
    }

    /// <summary>Immich's open_clip <c>preprocess_cfg.json</c>: size, mean, std, interpolation, resize mode.</summary>
    private static PreprocessorConfig OpenClipPreprocessing(string path)
    {
        if (!File.Exists(path))
        {
            return PreprocessorConfig.Clip;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var size = root.GetProperty("size");
        var (width, height) = size.ValueKind == JsonValueKind.Array
            ? (size[1].GetInt32(), size[0].GetInt32())
            : (size.GetInt32(), size.GetInt32());
        var shortest = !root.TryGetProperty("resize_mode", out var mode) || mode.GetString() == "shortest";
        return new PreprocessorConfig(
            shortest ? Math.Min(width, height) : null,
            width,
            height,
            shortest ? width : null,
            shortest ? height : null,
            !root.TryGetProperty("interpolation", out var interpolation) || interpolation.GetString() == "bicubic",
            1f / 255,
            root.GetProperty("mean").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
            root.GetProperty("std").EnumerateArray().Select(v => v.GetSingle()).ToArray());
    }
}
