using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using D = Pipeline.StandInModels.Captioner.CaptionerDimensions;

namespace Pipeline.StandInModels.Captioner;

/// <summary>
/// The non-ONNX files of a captioner folder. Tokenizer files are the real GPT-2 ones from the repository's
/// <c>models/vocab</c> (<see cref="VocabFiles"/>); tokenizer.json is built from them in the
/// Hugging Face <c>tokenizers</c> format, which transformers.js reads.
/// </summary>
public static class CaptionerFiles
{
    /// <summary>Sub-folder of <c>models/vocab</c> holding the real Xenova/vit-gpt2-image-captioning files.</summary>
    public const string VitGpt2Folder = "vit-gpt2-image-captioning";

    public const string DistilvitPreprocessor = "distilvit/preprocessor_config.reconstructed.json";

    private const string EndOfText = "<|endoftext|>";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Real files the folder copies or derives from, relative to a folder laid out like <c>models/vocab</c>.</summary>
    public static IReadOnlyList<string> SourceFiles { get; } =
    [
        $"{VitGpt2Folder}/config.json",
        $"{VitGpt2Folder}/generation_config.json",
        $"{VitGpt2Folder}/tokenizer_config.json",
        $"{VitGpt2Folder}/vocab.json",
        $"{VitGpt2Folder}/merges.txt",
        DistilvitPreprocessor,
    ];

    /// <summary>
    /// The folder laid out like <c>models/vocab</c> that holds <see cref="SourceFiles"/>: <paramref name="explicitFolder"/>
    /// if given, else the repository's copy beside this assembly (<see cref="VocabFiles.Root"/>).
    /// </summary>
    public static string FindSourceFiles(string? explicitFolder = null)
    {
        var full = Path.GetFullPath(explicitFolder ?? VocabFiles.Root);
        return HasSources(full)
            ? full
            : throw new DirectoryNotFoundException(
                $"'{full}' does not hold the tokenizer files ({string.Join(", ", SourceFiles.Where(f => !File.Exists(Path.Combine(full, f))))} missing). " +
                (explicitFolder is null
                    ? "The build copies them from the repository's models/vocab; rebuild the project."
                    : "Pass a folder laid out like the repository's models/vocab."));
    }

    public static bool HasSources(string folder) => SourceFiles.All(f => File.Exists(Path.Combine(folder, f)));

    /// <summary>Copies a file byte for byte.</summary>
    public static string Copy(string sourceFiles, string source, string folder, string fileName)
    {
        var path = Path.Combine(folder, fileName);
        File.Copy(Path.Combine(sourceFiles, source), path, overwrite: true);
        return path;
    }

    /// <summary>The real vit-gpt2 config.json with the stand-in's sizes, ids and "_stand_in": true.</summary>
    public static JsonObject Config(string sourceFiles, CaptionerStandInOptions options, CaptionerDimensions dims)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dims);
        var real = JsonNode.Parse(File.ReadAllText(Path.Combine(sourceFiles, VitGpt2Folder, "config.json")))?.AsObject()
            ?? throw new InvalidDataException("config.json is not a JSON object.");
        var config = new JsonObject { ["_stand_in"] = true };
        foreach (var (key, value) in real)
        {
            config[key] = value?.DeepClone();
        }

        config["_name_or_path"] = options.EffectiveModelId;
        var encoder = config["encoder"]!.AsObject();
        encoder["hidden_size"] = dims.EncoderHidden;
        encoder["num_hidden_layers"] = dims.EncoderLayers;
        encoder["num_attention_heads"] = dims.EncoderHeads;
        encoder["intermediate_size"] = dims.EncoderIntermediate;
        encoder["image_size"] = D.ImageSize;
        encoder["patch_size"] = D.PatchSize;

        var decoder = config["decoder"]!.AsObject();
        if (options.Layout == CaptionerLayout.Distilvit)
        {
            decoder["_name_or_path"] = "distilbert/distilgpt2";
        }

        decoder["n_embd"] = dims.DecoderHidden;
        decoder["n_layer"] = dims.DecoderLayers;
        decoder["n_head"] = dims.DecoderHeads;
        decoder["n_inner"] = dims.DecoderInner;
        decoder["n_positions"] = D.Positions;
        decoder["n_ctx"] = D.Positions;
        decoder["vocab_size"] = D.VocabSize;
        foreach (var key in new[] { "bos_token_id", "eos_token_id", "pad_token_id", "decoder_start_token_id" })
        {
            config[key] = D.EndOfText;
        }

        config["model_type"] = "vision-encoder-decoder";
        return config;
    }

    /// <summary>Mozilla/distilvit generation_config.json @51f20bb (SPEC §1.4, first known version).</summary>
    public static JsonObject DistilvitGenerationConfig() => new()
    {
        ["bos_token_id"] = D.EndOfText,
        ["do_sample"] = false,
        ["early_stopping"] = true,
        ["eos_token_id"] = D.EndOfText,
        ["max_length"] = 50,
        ["no_repeat_ngram_size"] = 2,
        ["num_beams"] = 2,
        ["pad_token_id"] = D.EndOfText,
        ["repetition_penalty"] = 1.2,
        ["seed"] = 12,
        ["use_cache"] = true,
    };

    /// <summary>
    /// ViTFeatureExtractor with the legacy integer size (nlpconnect/vit-gpt2-image-captioning's values; the exact
    /// 378-byte Xenova file was not retrieved, so this is a reconstruction).
    /// </summary>
    public static JsonObject VitGpt2PreprocessorConfig() => new()
    {
        ["do_normalize"] = true,
        ["do_rescale"] = true,
        ["do_resize"] = true,
        ["feature_extractor_type"] = "ViTFeatureExtractor",
        ["image_mean"] = new JsonArray(0.5, 0.5, 0.5),
        ["image_processor_type"] = "ViTFeatureExtractor",
        ["image_std"] = new JsonArray(0.5, 0.5, 0.5),
        ["resample"] = 2,
        ["rescale_factor"] = 0.00392156862745098,
        ["size"] = D.ImageSize,
    };

    /// <summary>GPT-2's special_tokens_map.json (reconstructed: 131 bytes, the size of Xenova's file).</summary>
    public static JsonObject SpecialTokensMap() => new()
    {
        ["bos_token"] = EndOfText,
        ["eos_token"] = EndOfText,
        ["pad_token"] = EndOfText,
        ["unk_token"] = EndOfText,
    };

    /// <summary>
    /// tokenizer.json (Hugging Face tokenizers format) for GPT-2's byte-level BPE, from vocab.json and merges.txt:
    /// vocab in id order, merges as "a b" strings without the #version header.
    /// </summary>
    public static string WriteTokenizerJson(string sourceFiles, string folder)
    {
        using var vocabDocument = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(sourceFiles, VitGpt2Folder, "vocab.json")));
        var vocab = vocabDocument.RootElement.EnumerateObject()
            .Select(p => (Token: p.Name, Id: p.Value.GetInt32()))
            .OrderBy(p => p.Id)
            .ToList();
        var merges = File.ReadAllText(Path.Combine(sourceFiles, VitGpt2Folder, "merges.txt"), Encoding.UTF8)
            .Split('\n')
            .Where(line => line.Length > 0 && !line.StartsWith("#version", StringComparison.Ordinal))
            .ToList();

        var path = Path.Combine(folder, "tokenizer.json");
        using var stream = File.Create(path);
        using (var w = new Utf8JsonWriter(stream, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("version", "1.0");
            w.WriteNull("truncation");
            w.WriteNull("padding");
            w.WriteStartArray("added_tokens");
            w.WriteStartObject();
            w.WriteNumber("id", D.EndOfText);
            w.WriteString("content", EndOfText);
            w.WriteBoolean("single_word", false);
            w.WriteBoolean("lstrip", false);
            w.WriteBoolean("rstrip", false);
            w.WriteBoolean("normalized", true);
            w.WriteBoolean("special", true);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteNull("normalizer");
            ByteLevel(w, "pre_tokenizer", addPrefixSpace: false, trimOffsets: true);
            ByteLevel(w, "post_processor", addPrefixSpace: true, trimOffsets: false);
            ByteLevel(w, "decoder", addPrefixSpace: true, trimOffsets: true);
            w.WriteStartObject("model");
            w.WriteString("type", "BPE");
            w.WriteNull("dropout");
            w.WriteNull("unk_token");
            w.WriteString("continuing_subword_prefix", "");
            w.WriteString("end_of_word_suffix", "");
            w.WriteBoolean("fuse_unk", false);
            w.WriteBoolean("byte_fallback", false);
            w.WriteStartObject("vocab");
            foreach (var (token, id) in vocab)
            {
                w.WriteNumber(token, id);
            }

            w.WriteEndObject();
            w.WriteStartArray("merges");
            foreach (var merge in merges)
            {
                w.WriteStringValue(merge);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        stream.Write("\n"u8);
        return path;
    }

    public static string WriteJson(string folder, string fileName, JsonNode json) => StandInFiles.WriteJson(folder, fileName, json);

    public static string WriteText(string folder, string fileName, string text)
    {
        var path = Path.Combine(folder, fileName);
        File.WriteAllText(path, text, Utf8);
        return path;
    }

    private static void ByteLevel(Utf8JsonWriter w, string name, bool addPrefixSpace, bool trimOffsets)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", addPrefixSpace);
        w.WriteBoolean("trim_offsets", trimOffsets);
        w.WriteBoolean("use_regex", true);
        w.WriteEndObject();
    }
}
