using System.Globalization;
using System.Text.Json;

namespace Pipeline.Imaging.Tensors;

/// <summary>How a model wants its pixels, read from the model's own Hugging Face <c>preprocessor_config.json</c>.</summary>
/// <param name="ResizeShortestEdge">Resize keeping aspect ratio so the short side has this length (CLIP); null to squash.</param>
/// <param name="ResizeWidth">Width after resizing when squashing (ViT); ignored with a shortest edge.</param>
/// <param name="ResizeHeight">Height after resizing when squashing.</param>
/// <param name="CropWidth">Centre-crop width, or null for no crop.</param>
/// <param name="CropHeight">Centre-crop height, or null for no crop.</param>
/// <param name="Bicubic">True for PIL resample 3 (bicubic), false for bilinear.</param>
public sealed record PreprocessorConfig(
    int? ResizeShortestEdge,
    int ResizeWidth,
    int ResizeHeight,
    int? CropWidth,
    int? CropHeight,
    bool Bicubic,
    float RescaleFactor,
    float[] Mean,
    float[] Std)
{
    /// <summary>OpenAI CLIP ViT-B/32 as exported by Xenova (shortest edge 224, bicubic, centre crop 224).</summary>
    public static PreprocessorConfig Clip { get; } = new(
        224, 224, 224, 224, 224, true, 1f / 255,
        [0.48145466f, 0.4578275f, 0.40821073f],
        [0.26862954f, 0.26130258f, 0.27577711f]);

    public int OutputWidth => CropWidth ?? ResizeWidth;

    public int OutputHeight => CropHeight ?? ResizeHeight;

    /// <summary>Floats in one image's CHW tensor.</summary>
    public int TensorLength => 3 * OutputWidth * OutputHeight;

    public static PreprocessorConfig Load(string path) => Parse(File.ReadAllText(path));

    public static PreprocessorConfig Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;

        int? shortest = null;
        int width = 224, height = 224;
        if (root.TryGetProperty("size", out var size))
        {
            if (size.ValueKind == JsonValueKind.Number)
            {
                // Legacy integer sizes: CLIP's processor reads them as the shortest edge, ViT's as a square.
                var value = size.GetInt32();
                width = height = value;
                if (IsClipProcessor(root))
                {
                    shortest = value;
                }
            }
            else if (size.TryGetProperty("shortest_edge", out var edge))
            {
                shortest = edge.GetInt32();
                width = height = shortest.Value;
            }
            else
            {
                width = size.GetProperty("width").GetInt32();
                height = size.GetProperty("height").GetInt32();
            }
        }

        int? cropWidth = null, cropHeight = null;
        if (Bool(root, "do_center_crop", false) && root.TryGetProperty("crop_size", out var crop))
        {
            (cropWidth, cropHeight) = crop.ValueKind == JsonValueKind.Number
                ? (crop.GetInt32(), crop.GetInt32())
                : (crop.GetProperty("width").GetInt32(), crop.GetProperty("height").GetInt32());
        }

        var rescale = Bool(root, "do_rescale", true)
            ? root.TryGetProperty("rescale_factor", out var factor) ? factor.GetSingle() : 1f / 255
            : 1f;
        var normalize = Bool(root, "do_normalize", true);
        return new PreprocessorConfig(
            shortest,
            width,
            height,
            cropWidth,
            cropHeight,
            root.TryGetProperty("resample", out var resample) && resample.GetInt32() == 3,
            rescale,
            normalize ? Floats(root, "image_mean") : [0f, 0f, 0f],
            normalize ? Floats(root, "image_std") : [1f, 1f, 1f]);
    }

    private static bool IsClipProcessor(JsonElement root) =>
        root.TryGetProperty("image_processor_type", out var type) &&
        type.GetString()?.StartsWith("CLIP", StringComparison.Ordinal) == true ||
        root.TryGetProperty("feature_extractor_type", out var legacy) &&
        legacy.GetString()?.StartsWith("CLIP", StringComparison.Ordinal) == true;

    private static bool Bool(JsonElement root, string name, bool fallback) =>
        root.TryGetProperty(name, out var value) ? value.GetBoolean() : fallback;

    private static float[] Floats(JsonElement root, string name)
    {
        var values = root.GetProperty(name).EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return values.Length == 3
            ? values
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{name} must have 3 values, not {values.Length}."));
    }
}
