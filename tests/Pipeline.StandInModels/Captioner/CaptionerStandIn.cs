using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;
using Pipeline.StandInModels.Transformers;
using D = Pipeline.StandInModels.Captioner.CaptionerDimensions;

namespace Pipeline.StandInModels.Captioner;

/// <summary>Paths written (or found up to date) by <see cref="CaptionerStandIn.WriteOrReuse"/>.</summary>
/// <summary>
/// Writes a random-weight image captioner in the exact folder layout of the transformers.js vision-encoder-decoder
/// exports (Xenova/vit-gpt2-image-captioning, Mozilla/distilvit): onnx/encoder_model.onnx,
/// onnx/decoder_model_merged.onnx (+ _quantized), config.json, generation_config.json, preprocessor_config.json and
/// the real GPT-2 tokenizer files, plus stand-in.json. The graphs are a real ViT and a real GPT-2 with
/// cross-attention and the optimum merged-decoder protocol, so greedy decoding gives the same token ids in any
/// runtime that follows the protocol.
/// </summary>
public static class CaptionerStandIn
{
    public const int Opset = 17;
    public const long IrVersion = 8;

    /// <summary>Bump when the generated files change, so cached folders are rewritten.</summary>
    public const string GeneratorVersion = "captioner-1";

    public const string EncoderPath = "onnx/encoder_model.onnx";
    public const string DecoderPath = "onnx/decoder_model_merged.onnx";
    public const string EncoderQuantizedPath = "onnx/encoder_model_quantized.onnx";
    public const string DecoderQuantizedPath = "onnx/decoder_model_merged_quantized.onnx";

    public static string DefaultModelId(CaptionerLayout layout) => layout switch
    {
        CaptionerLayout.VitGpt2 => "stand-in/vit-gpt2-image-captioning",
        CaptionerLayout.Distilvit => "stand-in/distilvit",
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, null),
    };

    public static string LayoutName(CaptionerLayout layout) => layout switch
    {
        CaptionerLayout.VitGpt2 => "xenova/vit-gpt2-image-captioning",
        CaptionerLayout.Distilvit => "mozilla/distilvit",
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, null),
    };

    /// <summary>Relative paths of the files a folder holds with these options, in the order Write returns them.</summary>
    public static IReadOnlyList<string> FileNames(CaptionerStandInOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> names = [EncoderPath, DecoderPath];
        if (options.Quantized)
        {
            names.AddRange([EncoderQuantizedPath, DecoderQuantizedPath]);
        }

        names.AddRange(
        [
            "config.json", "generation_config.json", "preprocessor_config.json", "tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "vocab.json", "merges.txt", StandInMarker.FileName,
        ]);
        return names;
    }

    /// <summary>Writes every file (folder created if needed, files overwritten) and returns their paths.</summary>
    public static IReadOnlyList<string> Write(string folder, CaptionerStandInOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        options ??= new CaptionerStandInOptions();
        var sources = CaptionerFiles.FindSourceFiles(options.TokenizerFilesFolder);
        var dims = D.For(options.Layout, options.Size);
        dims.Validate();

        Directory.CreateDirectory(Path.Combine(folder, "onnx"));
        var complete = Path.Combine(folder, StandInFolder.CompleteFileName);
        File.Delete(complete);

        List<string> paths = [];
        void WriteModel(string relative, ModelProto model)
        {
            var path = Path.Combine(folder, relative);
            OnnxFile.Write(model, path);
            paths.Add(path);
        }

        WriteModel(EncoderPath, BuildEncoder(options, quantized: false));
        WriteModel(DecoderPath, BuildDecoder(options, quantized: false));
        if (options.Quantized)
        {
            WriteModel(EncoderQuantizedPath, BuildEncoder(options, quantized: true));
            WriteModel(DecoderQuantizedPath, BuildDecoder(options, quantized: true));
        }

        const string vitGpt2 = CaptionerFiles.VitGpt2Folder;
        paths.Add(CaptionerFiles.WriteJson(folder, "config.json", CaptionerFiles.Config(sources, options, dims)));
        paths.Add(options.Layout == CaptionerLayout.VitGpt2
            ? CaptionerFiles.Copy(sources, $"{vitGpt2}/generation_config.json", folder, "generation_config.json")
            : CaptionerFiles.WriteJson(folder, "generation_config.json", CaptionerFiles.DistilvitGenerationConfig()));
        paths.Add(options.Layout == CaptionerLayout.VitGpt2
            ? CaptionerFiles.WriteJson(folder, "preprocessor_config.json", CaptionerFiles.VitGpt2PreprocessorConfig())
            : CaptionerFiles.Copy(sources, CaptionerFiles.DistilvitPreprocessor, folder, "preprocessor_config.json"));
        paths.Add(CaptionerFiles.WriteTokenizerJson(sources, folder));
        paths.Add(CaptionerFiles.Copy(sources, $"{vitGpt2}/tokenizer_config.json", folder, "tokenizer_config.json"));
        paths.Add(CaptionerFiles.WriteJson(folder, "special_tokens_map.json", CaptionerFiles.SpecialTokensMap()));
        paths.Add(CaptionerFiles.Copy(sources, $"{vitGpt2}/vocab.json", folder, "vocab.json"));
        paths.Add(CaptionerFiles.Copy(sources, $"{vitGpt2}/merges.txt", folder, "merges.txt"));
        paths.Add(CaptionerFiles.WriteJson(folder, StandInMarker.FileName, Marker(options, dims)));

        CaptionerFiles.WriteText(folder, StandInFolder.CompleteFileName, OptionsHash(options, sources) + "\n");
        return paths;
    }

    /// <summary>Reuses the folder when an earlier run wrote it from the same options and files; writes it otherwise (<see cref="StandInFolder"/>).</summary>
    public static StandInWriteResult WriteOrReuse(string folder, CaptionerStandInOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        options ??= new CaptionerStandInOptions();
        var sources = CaptionerFiles.FindSourceFiles(options.TokenizerFilesFolder);
        return StandInFolder.WriteOrReuse(
            folder, OptionsHash(options, sources), FileNames(options), staging => Write(staging, options with { TokenizerFilesFolder = sources }));
    }

    /// <summary>Hash of everything the files depend on: generator version, options and the real source files.</summary>
    public static string OptionsHash(CaptionerStandInOptions options, string sourceFiles)
    {
        ArgumentNullException.ThrowIfNull(options);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"generator={StandInMarker.GeneratorName}/{GeneratorVersion}\n")
            .Append(CultureInfo.InvariantCulture, $"layout={options.Layout}\nsize={options.Size}\nseed={options.Seed}\n")
            .Append(CultureInfo.InvariantCulture, $"modelId={options.EffectiveModelId}\nquantized={options.Quantized}\n")
            .Append(CultureInfo.InvariantCulture, $"eosAfterTokens={options.EosAfterTokens}\n");
        foreach (var source in CaptionerFiles.SourceFiles)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(sourceFiles, source))));
            text.Append(CultureInfo.InvariantCulture, $"{source}={hash}\n");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static ModelProto BuildEncoder(CaptionerStandInOptions options, bool quantized)
    {
        ArgumentNullException.ThrowIfNull(options);
        return VitEncoderGraph.Build(
            D.For(options.Layout, options.Size), options.Seed,
            quantized ? WeightQuantization.UInt8Asymmetric : WeightQuantization.None,
            ModelMetadata(options, quantized ? "encoder_model_quantized" : "encoder_model"));
    }

    public static ModelProto BuildDecoder(CaptionerStandInOptions options, bool quantized)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Gpt2DecoderGraph.Build(
            D.For(options.Layout, options.Size), options.Seed,
            quantized ? WeightQuantization.Int8Symmetric : WeightQuantization.None,
            options.EosAfterTokens,
            ModelMetadata(options, quantized ? "decoder_model_merged_quantized" : "decoder_model_merged"));
    }

    /// <summary>stand-in.json: the worker reads modelId and flags every caption of this model as a stand-in's.</summary>
    public static JsonObject Marker(CaptionerStandInOptions options, CaptionerDimensions dims)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dims);
        return new JsonObject
        {
            ["standIn"] = true,
            ["modelId"] = options.EffectiveModelId,
            ["layout"] = LayoutName(options.Layout),
            ["size"] = options.Size.ToString().ToLowerInvariant(),
            ["seed"] = options.Seed,
            ["generator"] = StandInMarker.GeneratorName,
            ["generatorVersion"] = GeneratorVersion,
            ["hidden"] = dims.DecoderHidden,
            ["encoder"] = new JsonObject
            {
                ["hidden_size"] = dims.EncoderHidden,
                ["num_hidden_layers"] = dims.EncoderLayers,
                ["num_attention_heads"] = dims.EncoderHeads,
                ["intermediate_size"] = dims.EncoderIntermediate,
            },
            ["decoder"] = new JsonObject
            {
                ["n_embd"] = dims.DecoderHidden,
                ["n_layer"] = dims.DecoderLayers,
                ["n_head"] = dims.DecoderHeads,
                ["n_inner"] = dims.DecoderInner,
            },
            ["eosAfterTokens"] = options.EosAfterTokens,
            ["quantized"] = options.Quantized,
            ["quantizedIsCopyOfFp32"] = false,
            ["quantization"] = options.Quantized
                ? "onnxruntime quantize_dynamic pattern, per tensor: encoder uint8 (DynamicQuantizeLinear + MatMulInteger/ConvInteger), " +
                  "decoder int8 symmetric (MatMulInteger; token embedding Gather + DequantizeLinear, tied lm_head on its transpose); " +
                  "position embeddings, attention score products, layer norms stay float32"
                : null,
        };
    }

    private static List<KeyValuePair<string, string>> ModelMetadata(CaptionerStandInOptions options, string file) =>
    [
        new("stand_in", "true"),
        new("stand_in.model_id", options.EffectiveModelId),
        new("stand_in.layout", LayoutName(options.Layout)),
        new("stand_in.generator", $"{StandInMarker.GeneratorName}/{GeneratorVersion}"),
        new("stand_in.size", options.Size.ToString().ToLowerInvariant()),
        new("stand_in.seed", options.Seed.ToString(CultureInfo.InvariantCulture)),
        new("stand_in.file", file),
    ];
}
