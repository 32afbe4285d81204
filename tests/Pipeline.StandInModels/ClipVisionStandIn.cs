using System.Text.Json.Nodes;
using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels;

/// <summary>
/// Writes a random-weight model folder in the Xenova/clip-vit-base-patch32 layout: same file names and the same
/// vision_model.onnx inputs/outputs (pixel_values [batch_size,3,224,224] -> image_embeds [batch_size,512],
/// projected but not L2-normalised), with a much shallower graph: patch Conv, position embedding, LayerNorm,
/// mean over patches, LayerNorm, projection. <see cref="ClipStandIn"/> writes the complete model (real ViT, text tower,
/// tokenizer, Xenova or Immich layout).
/// </summary>
public static class ClipVisionStandIn
{
    public const string Layout = "xenova/clip-vit-base-patch32";
    public const string VisionModelPath = "onnx/vision_model.onnx";
    public const string PreprocessorConfigFileName = "preprocessor_config.json";
    public const string ConfigFileName = "config.json";
    public const int ImageSize = 224;
    public const int PatchSize = 32;
    public const int ProjectionDim = 512;
    public const int Opset = 17;
    public const long IrVersion = 8;

    private const int Channels = 3;
    private const int PatchesPerSide = ImageSize / PatchSize;
    private const int Patches = PatchesPerSide * PatchesPerSide;
    private const string PreprocessorResource = "Pipeline.StandInModels.clip-vit-base-patch32.preprocessor_config.json";

    /// <summary>Writes the folder (created if needed, files overwritten) and returns the written file paths.</summary>
    public static IReadOnlyList<string> Write(string folder, ClipVisionStandInOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        options ??= new ClipVisionStandInOptions();
        var model = BuildVisionModel(options);

        Directory.CreateDirectory(Path.Combine(folder, "onnx"));
        var modelPath = Path.Combine(folder, VisionModelPath);
        OnnxFile.Write(model, modelPath);

        return
        [
            modelPath,
            StandInFiles.WriteJson(folder, ConfigFileName, BuildConfig(options)),
            StandInFiles.WriteResource(folder, PreprocessorConfigFileName, PreprocessorResource),
            StandInFiles.WriteJson(folder, StandInMarker.FileName, Marker(options).ToJson()),
        ];
    }

    public static StandInMarker Marker(ClipVisionStandInOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new StandInMarker(options.ModelId, Layout, options.Hidden, options.Seed);
    }

    public static ModelProto BuildVisionModel(ClipVisionStandInOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ModelId);
        // LayerNorm over fewer than two features has no variance to normalise: the output would ignore the image.
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Hidden, 2, nameof(options.Hidden));
        long hidden = options.Hidden;

        var g = new GraphBuilder("main_graph", Opset, options.Seed);
        var pixels = g.Input("pixel_values", DataType.Float, "batch_size", Channels, ImageSize, ImageSize);

        string tokens;
        using (g.Scope("vision_model"))
        {
            using (g.Scope("embeddings"))
            {
                var patchWeight = g.RandomWeight(
                    "vision_model.embeddings.patch_embedding.weight", fanIn: Channels * PatchSize * PatchSize,
                    hidden, Channels, PatchSize, PatchSize);
                // No bias, as in CLIP's patch embedding.
                var patches = g.Conv(pixels, patchWeight, bias: null, kernelShape: [PatchSize, PatchSize], strides: [PatchSize, PatchSize]);
                var flat = g.Reshape(patches, [0, hidden, Patches]);
                var sequence = g.Transpose(flat, [0, 2, 1]);
                // Small next to the patch signal (std ~1), so pooling keeps the image's content rather than the positions.
                var positions = g.RandomNormal("vision_model.embeddings.position_embedding.weight", std: 0.1, mean: 0, Patches, hidden);
                tokens = g.Add(sequence, positions);
            }

            // "pre_layrnorm" is the spelling of the real CLIP parameter.
            tokens = LayerNorm(g, tokens, "vision_model.pre_layrnorm", hidden);
            var pooled = g.ReduceMean(tokens, [1], keepDims: false);
            tokens = LayerNorm(g, pooled, "vision_model.post_layernorm", hidden);
        }

        var projection = g.RandomWeight("visual_projection.weight", fanIn: hidden, hidden, ProjectionDim);
        var embeds = g.MatMul(tokens, projection, output: "image_embeds");
        g.Output(embeds, DataType.Float, "batch_size", ProjectionDim);

        return g.ToModel(IrVersion, Marker(options).ToModelMetadata(),
            docString: "Stand-in CLIP vision tower with random weights; not a real model.");
    }

    private static string LayerNorm(GraphBuilder g, string x, string prefix, long hidden)
    {
        using (g.Scope(prefix[(prefix.IndexOf('.', StringComparison.Ordinal) + 1)..]))
        {
            var scale = g.RandomNormal(prefix + ".weight", std: 0.1, mean: 1.0, hidden);
            var bias = g.RandomNormal(prefix + ".bias", std: 0.02, mean: 0.0, hidden);
            return g.LayerNormalization(x, scale, bias);
        }
    }

    private static JsonObject BuildConfig(ClipVisionStandInOptions options) => new()
    {
        ["_stand_in"] = true,
        ["_name_or_path"] = options.ModelId,
        ["architectures"] = new JsonArray("CLIPModel"),
        ["model_type"] = "clip",
        ["projection_dim"] = ProjectionDim,
        ["vision_config"] = new JsonObject
        {
            ["model_type"] = "clip_vision_model",
            ["hidden_size"] = options.Hidden,
            ["image_size"] = ImageSize,
            ["patch_size"] = PatchSize,
            ["num_channels"] = Channels,
            ["projection_dim"] = ProjectionDim,
        },
    };
}
