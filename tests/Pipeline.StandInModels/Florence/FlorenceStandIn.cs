using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;
using Pipeline.StandInModels.Transformers;

namespace Pipeline.StandInModels.Florence;

/// <summary>Paths written (or found up to date) by <see cref="FlorenceStandIn.WriteOrReuse"/>.</summary>
/// <summary>
/// Writes a random-weight Florence-2 in the exact folder layout of onnx-community/Florence-2-base-ft as transformers.js
/// (Florence2ForConditionalGeneration, AutoProcessor) loads it: onnx/vision_encoder.onnx, onnx/embed_tokens.onnx,
/// onnx/encoder_model.onnx, onnx/decoder_model_merged.onnx (+ _quantized), config.json, generation_config.json,
/// preprocessor_config.json, the BART tokenizer files with Florence-2's added tokens, and stand-in.json. Greedy
/// answers are image and prompt dependent and follow <see cref="OutputSchedule"/>: labels and runs of &lt;loc_N&gt;.
/// </summary>
public static class FlorenceStandIn
{
    public const int Opset = 17;
    public const long IrVersion = 8;

    /// <summary>Bump when the generated files change, so cached folders are rewritten.</summary>
    public const string GeneratorVersion = "florence-1";

    public const string Layout = "onnx-community/Florence-2-base-ft";

    public const string VisionEncoderPath = "onnx/vision_encoder.onnx";
    public const string EmbedTokensPath = "onnx/embed_tokens.onnx";
    public const string EncoderPath = "onnx/encoder_model.onnx";
    public const string DecoderPath = "onnx/decoder_model_merged.onnx";

    private static readonly string[] ModelPaths = [VisionEncoderPath, EmbedTokensPath, EncoderPath, DecoderPath];

    /// <summary>onnx/x.onnx → onnx/x_quantized.onnx (transformers.js' file for dtype q8).</summary>
    public static string QuantizedPath(string path) => path[..^".onnx".Length] + "_quantized.onnx";

    /// <summary>Relative paths of the files a folder holds with these options, in the order Write returns them.</summary>
    public static IReadOnlyList<string> FileNames(FlorenceStandInOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> names = [.. ModelPaths];
        if (options.Quantized)
        {
            names.AddRange(ModelPaths.Select(QuantizedPath));
        }

        names.AddRange(
        [
            "config.json", "generation_config.json", "preprocessor_config.json",
            FlorenceTokenizerFiles.TokenizerFileName, FlorenceTokenizerFiles.TokenizerConfigFileName,
            FlorenceTokenizerFiles.SpecialTokensMapFileName, FlorenceTokenizerFiles.AddedTokensFileName,
            FlorenceTokenizerFiles.VocabFileName, FlorenceTokenizerFiles.MergesFileName, StandInMarker.FileName,
        ]);
        return names;
    }

    /// <summary>Writes every file (folder created if needed, files overwritten) and returns their paths.</summary>
    public static IReadOnlyList<string> Write(string folder, FlorenceStandInOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        options ??= new FlorenceStandInOptions();
        var sources = FlorenceFiles.FindSourceFiles(options.TokenizerFilesFolder);
        var dims = FlorenceDimensions.For(options.Size);
        dims.Validate();
        var table = Table(options, sources);

        Directory.CreateDirectory(Path.Combine(folder, "onnx"));
        var complete = Path.Combine(folder, StandInFolder.CompleteFileName);
        File.Delete(complete);

        List<string> paths = [];
        void WriteModels(bool quantized)
        {
            foreach (var relative in ModelPaths)
            {
                var path = Path.Combine(folder, quantized ? QuantizedPath(relative) : relative);
                OnnxFile.Write(Build(relative, options, table, quantized), path);
                paths.Add(path);
            }
        }

        WriteModels(quantized: false);
        if (options.Quantized)
        {
            WriteModels(quantized: true);
        }

        paths.Add(StandInFiles.WriteJson(folder, "config.json", FlorenceFiles.Config(sources, options, dims)));
        paths.Add(StandInFiles.Copy(Path.Combine(sources, FlorenceFiles.ConfigFolder, "generation_config.json"), folder, "generation_config.json"));
        paths.Add(StandInFiles.WriteJson(folder, "preprocessor_config.json", FlorenceFiles.PreprocessorConfig()));
        paths.AddRange(FlorenceTokenizerFiles.Write(sources, folder));
        paths.Add(StandInFiles.WriteJson(folder, StandInMarker.FileName, Marker(options, dims)));

        File.WriteAllText(complete, OptionsHash(options, sources) + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return paths;
    }

    /// <summary>Reuses the folder when an earlier run wrote it from the same options and files; writes it otherwise (<see cref="StandInFolder"/>).</summary>
    public static StandInWriteResult WriteOrReuse(string folder, FlorenceStandInOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        options ??= new FlorenceStandInOptions();
        var sources = FlorenceFiles.FindSourceFiles(options.TokenizerFilesFolder);
        return StandInFolder.WriteOrReuse(
            folder, OptionsHash(options, sources), FileNames(options), staging => Write(staging, options with { TokenizerFilesFolder = sources }));
    }

    /// <summary>Hash of everything the files depend on: generator version, options and the real source files.</summary>
    public static string OptionsHash(FlorenceStandInOptions options, string sourceFiles)
    {
        ArgumentNullException.ThrowIfNull(options);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"generator={StandInMarker.GeneratorName}/{GeneratorVersion}\n")
            .Append(CultureInfo.InvariantCulture, $"size={options.Size}\nseed={options.Seed}\nmodelId={options.EffectiveModelId}\n")
            .Append(CultureInfo.InvariantCulture, $"quantized={options.Quantized}\neosAfterTokens={options.EosAfterTokens}\n");
        foreach (var source in FlorenceFiles.SourceFiles)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(sourceFiles, source))));
            text.Append(CultureInfo.InvariantCulture, $"{source}={hash}\n");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// One of the four graphs (<paramref name="relativePath"/> is its float32 path). Quantized as transformers.js'
    /// conversion runs onnxruntime's quantize_dynamic: uint8 weights for the graph with a Conv, int8 for the others.
    /// </summary>
    public static ModelProto Build(string relativePath, FlorenceStandInOptions options, TokenTable table, bool quantized)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dims = FlorenceDimensions.For(options.Size);
        var file = Path.GetFileNameWithoutExtension(quantized ? QuantizedPath(relativePath) : relativePath);
        var metadata = ModelMetadata(options, file);
        var weights = quantized ? WeightQuantization.Int8Symmetric : WeightQuantization.None;
        return relativePath switch
        {
            VisionEncoderPath => VisionEncoderGraph.Build(dims, options.Seed,
                quantized ? WeightQuantization.UInt8Asymmetric : WeightQuantization.None, metadata),
            EmbedTokensPath => EmbedTokensGraph.Build(dims, table, options.Seed, weights, metadata),
            EncoderPath => BartEncoderGraph.Build(dims, options.Seed, weights, metadata),
            DecoderPath => BartDecoderGraph.Build(dims, table, options.Seed, weights, options.EosAfterTokens, metadata),
            _ => throw new ArgumentOutOfRangeException(nameof(relativePath), relativePath, "Not a Florence-2 graph."),
        };
    }

    /// <summary>The shared token embedding of these options (the label words are looked up in BART's vocab.json).</summary>
    public static TokenTable Table(FlorenceStandInOptions options, string sourceFiles)
    {
        ArgumentNullException.ThrowIfNull(options);
        var words = FlorenceTokens.WordIds(Path.Combine(sourceFiles, FlorenceFiles.TokenizerFolder, FlorenceTokenizerFiles.VocabFileName));
        return new TokenTable(FlorenceDimensions.For(options.Size), options.Seed, words);
    }

    /// <summary>stand-in.json: the worker reads modelId and flags every result of this model as a stand-in's.</summary>
    public static JsonObject Marker(FlorenceStandInOptions options, FlorenceDimensions dims)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dims);
        return new JsonObject
        {
            ["standIn"] = true,
            ["modelId"] = options.EffectiveModelId,
            ["layout"] = Layout,
            ["size"] = options.Size.ToString().ToLowerInvariant(),
            ["seed"] = options.Seed,
            ["generator"] = StandInMarker.GeneratorName,
            ["generatorVersion"] = GeneratorVersion,
            ["hidden"] = dims.Hidden,
            ["heads"] = dims.Heads,
            ["encoderLayers"] = dims.EncoderLayers,
            ["decoderLayers"] = dims.DecoderLayers,
            ["ffn"] = dims.FeedForward,
            ["vision"] = new JsonObject
            {
                ["architecture"] = "ViT (patch 32, one learned token + 24x24 patches), not DaViT",
                ["layers"] = dims.VisionLayers,
                ["ffn"] = dims.VisionFeedForward,
            },
            ["eosAfterTokens"] = options.EosAfterTokens,
            ["quantized"] = options.Quantized,
            ["quantizedIsCopyOfFp32"] = false,
            ["quantization"] = options.Quantized
                ? "onnxruntime quantize_dynamic pattern, per tensor: vision encoder uint8 (DynamicQuantizeLinear + MatMulInteger/ConvInteger), " +
                  "embed_tokens, encoder and decoder int8 symmetric (MatMulInteger; token embedding Gather + DequantizeLinear, tied lm_head on its transpose); " +
                  "position embeddings, attention score products, layer norms stay float32"
                : null,
        };
    }

    private static List<KeyValuePair<string, string>> ModelMetadata(FlorenceStandInOptions options, string file) =>
    [
        new("stand_in", "true"),
        new("stand_in.model_id", options.EffectiveModelId),
        new("stand_in.layout", Layout),
        new("stand_in.generator", $"{StandInMarker.GeneratorName}/{GeneratorVersion}"),
        new("stand_in.size", options.Size.ToString().ToLowerInvariant()),
        new("stand_in.seed", options.Seed.ToString(CultureInfo.InvariantCulture)),
        new("stand_in.file", file),
    ];
}
