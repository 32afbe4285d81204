using System.Text.Json.Nodes;
using D = Pipeline.StandInModels.Florence.FlorenceDimensions;

namespace Pipeline.StandInModels.Florence;

/// <summary>
/// The configuration files of a Florence-2 folder: the real onnx-community config.json with the stand-in's sizes,
/// the real generation_config.json, and preprocessor_config.json with the three task maps transformers.js'
/// Florence2Processor reads from it (it has no processor_config.json to read them from).
/// </summary>
public static class FlorenceFiles
{
    /// <summary>Sub-folders of <c>models/vocab</c> holding the real files.</summary>
    public const string ConfigFolder = "florence-2-base-ft";

    public const string TokenizerFolder = "bart";

    /// <summary>Real files the folder copies or derives from, relative to a folder laid out like <c>models/vocab</c>.</summary>
    public static IReadOnlyList<string> SourceFiles { get; } =
    [
        $"{ConfigFolder}/config.json",
        $"{ConfigFolder}/generation_config.json",
        $"{TokenizerFolder}/vocab.json",
        $"{TokenizerFolder}/merges.txt",
    ];

    /// <summary>
    /// The folder laid out like <c>models/vocab</c> that holds <see cref="SourceFiles"/>: <paramref name="explicitFolder"/>
    /// if given, else the repository's copy beside this assembly.
    /// </summary>
    public static string FindSourceFiles(string? explicitFolder = null)
    {
        var full = Path.GetFullPath(explicitFolder ?? VocabFiles.Root);
        var missing = SourceFiles.Where(f => !File.Exists(Path.Combine(full, f))).ToList();
        return missing.Count == 0
            ? full
            : throw new DirectoryNotFoundException(
                $"'{full}' does not hold the Florence-2 source files ({string.Join(", ", missing)} missing). " +
                (explicitFolder is null
                    ? "The build copies them from the repository's models/vocab; rebuild the project."
                    : "Pass a folder laid out like the repository's models/vocab."));
    }

    /// <summary>The real config.json with the stand-in's sizes and "_stand_in": true.</summary>
    public static JsonObject Config(string sourceFiles, FlorenceStandInOptions options, FlorenceDimensions dims)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dims);
        var real = JsonNode.Parse(File.ReadAllText(Path.Combine(sourceFiles, ConfigFolder, "config.json")))?.AsObject()
            ?? throw new InvalidDataException("config.json is not a JSON object.");
        var config = new JsonObject { ["_stand_in"] = true };
        foreach (var (key, value) in real)
        {
            config[key] = value?.DeepClone();
        }

        config["_name_or_path"] = options.EffectiveModelId;
        config["projection_dim"] = dims.Hidden;
        config["num_image_tokens"] = D.ImageTokens;
        config["vocab_size"] = D.VocabSize;

        // transformers.js sizes the empty past tensors of the first decoder step from these (normalized_config).
        var text = config["text_config"]!.AsObject();
        text["d_model"] = dims.Hidden;
        text["encoder_layers"] = dims.EncoderLayers;
        text["decoder_layers"] = dims.DecoderLayers;
        text["num_hidden_layers"] = dims.EncoderLayers;
        text["encoder_attention_heads"] = dims.Heads;
        text["decoder_attention_heads"] = dims.Heads;
        text["encoder_ffn_dim"] = dims.FeedForward;
        text["decoder_ffn_dim"] = dims.FeedForward;
        text["max_position_embeddings"] = D.MaxPositions;
        text["vocab_size"] = D.VocabSize;
        text["scale_embedding"] = false;

        // The stand-in's tower is a ViT, not DaViT: only its output width is meaningful here.
        config["vision_config"]!.AsObject()["projection_dim"] = dims.Hidden;
        return config;
    }

    /// <summary>
    /// CLIPImageProcessor as Florence-2 configures it (squash to 768×768 bicubic, ImageNet mean/std) plus the task maps
    /// of Microsoft's processing_florence2.py, which onnx-community adds so transformers.js can build prompts and
    /// post-process answers.
    /// </summary>
    public static JsonObject PreprocessorConfig() => new()
    {
        ["crop_size"] = new JsonObject { ["height"] = D.ImageSize, ["width"] = D.ImageSize },
        ["do_center_crop"] = false,
        ["do_convert_rgb"] = null,
        ["do_normalize"] = true,
        ["do_rescale"] = true,
        ["do_resize"] = true,
        ["image_mean"] = new JsonArray(0.485, 0.456, 0.406),
        ["image_processor_type"] = "CLIPImageProcessor",
        ["image_seq_length"] = D.ImageTokens,
        ["image_std"] = new JsonArray(0.229, 0.224, 0.225),
        ["processor_class"] = "Florence2Processor",
        ["resample"] = 3,
        ["rescale_factor"] = 0.00392156862745098,
        ["size"] = new JsonObject { ["height"] = D.ImageSize, ["width"] = D.ImageSize },
        ["tasks_answer_post_processing_type"] = Map(
            ("<OCR>", "pure_text"),
            ("<OCR_WITH_REGION>", "ocr"),
            ("<CAPTION>", "pure_text"),
            ("<DETAILED_CAPTION>", "pure_text"),
            ("<MORE_DETAILED_CAPTION>", "pure_text"),
            ("<OD>", "description_with_bboxes"),
            ("<DENSE_REGION_CAPTION>", "description_with_bboxes"),
            ("<CAPTION_TO_PHRASE_GROUNDING>", "phrase_grounding"),
            ("<REFERRING_EXPRESSION_SEGMENTATION>", "polygons"),
            ("<REGION_TO_SEGMENTATION>", "polygons"),
            ("<OPEN_VOCABULARY_DETECTION>", "description_with_bboxes_or_polygons"),
            ("<REGION_TO_CATEGORY>", "pure_text"),
            ("<REGION_TO_DESCRIPTION>", "pure_text"),
            ("<REGION_TO_OCR>", "pure_text"),
            ("<REGION_PROPOSAL>", "bboxes")),
        ["task_prompts_without_inputs"] = Map(
            ("<OCR>", "What is the text in the image?"),
            ("<OCR_WITH_REGION>", "What is the text in the image, with regions?"),
            ("<CAPTION>", "What does the image describe?"),
            ("<DETAILED_CAPTION>", "Describe in detail what is shown in the image."),
            ("<MORE_DETAILED_CAPTION>", "Describe with a paragraph what is shown in the image."),
            ("<OD>", "Locate the objects with category name in the image."),
            ("<DENSE_REGION_CAPTION>", "Locate the objects in the image, with their descriptions."),
            ("<REGION_PROPOSAL>", "Locate the region proposals in the image.")),
        ["task_prompts_with_input"] = Map(
            ("<CAPTION_TO_PHRASE_GROUNDING>", "Locate the phrases in the caption: {input}"),
            ("<REFERRING_EXPRESSION_SEGMENTATION>", "Locate {input} in the image with mask"),
            ("<REGION_TO_SEGMENTATION>", "What is the polygon mask of region {input}"),
            ("<OPEN_VOCABULARY_DETECTION>", "Locate {input} in the image."),
            ("<REGION_TO_CATEGORY>", "What is the region {input}?"),
            ("<REGION_TO_DESCRIPTION>", "What does the region {input} describe?"),
            ("<REGION_TO_OCR>", "What text is in the region {input}?")),
    };

    private static JsonObject Map(params (string Key, string Value)[] entries)
    {
        var map = new JsonObject();
        foreach (var (key, value) in entries)
        {
            map[key] = value;
        }

        return map;
    }
}
