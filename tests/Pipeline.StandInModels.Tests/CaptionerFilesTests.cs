using System.Text.Json;
using Pipeline.StandInModels.Captioner;

namespace Pipeline.StandInModels.Tests;

public sealed class CaptionerFilesTests : IDisposable
{
    private static readonly string[] AllFiles =
    [
        "onnx/encoder_model.onnx", "onnx/decoder_model_merged.onnx",
        "onnx/encoder_model_quantized.onnx", "onnx/decoder_model_merged_quantized.onnx",
        "config.json", "generation_config.json", "preprocessor_config.json", "tokenizer.json", "tokenizer_config.json",
        "special_tokens_map.json", "vocab.json", "merges.txt", "stand-in.json",
    ];

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(CaptionerLayout.VitGpt2)]
    [InlineData(CaptionerLayout.Distilvit)]
    public void WritesEveryFileOfTheLayout(CaptionerLayout layout)
    {
        var folder = _temp.Sub("captioner");

        var paths = CaptionerStandIn.Write(folder, new CaptionerStandInOptions { Layout = layout });

        Assert.Equal(AllFiles.Select(f => Path.Combine(folder, f)), paths);
        Assert.All(paths, p => Assert.True(new FileInfo(p).Length > 0, p));
        Assert.True(new FileInfo(Path.Combine(folder, "onnx/decoder_model_merged.onnx")).Length < 10_000_000, "the tiny decoder should be a few MB");
    }

    [Fact]
    public void WithoutQuantizedVariantsOnlyTheFloatGraphsAreWritten()
    {
        var folder = _temp.Sub("captioner");

        var paths = CaptionerStandIn.Write(folder, new CaptionerStandInOptions { Quantized = false });

        Assert.DoesNotContain(paths, p => p.Contains("_quantized", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(folder, "onnx/decoder_model_merged_quantized.onnx")));
    }

    [Theory]
    [InlineData(CaptionerLayout.VitGpt2, 2, 32)]
    [InlineData(CaptionerLayout.Distilvit, 2, 32)]
    public void ConfigIsTheRealOneWithTheStandInSizes(CaptionerLayout layout, int layers, int hidden)
    {
        var folder = _temp.Sub("captioner");
        CaptionerStandIn.Write(folder, new CaptionerStandInOptions { Layout = layout });

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json")));
        var root = json.RootElement;

        Assert.True(root.GetProperty("_stand_in").GetBoolean());
        Assert.Equal("vision-encoder-decoder", root.GetProperty("model_type").GetString());
        Assert.True(root.GetProperty("is_encoder_decoder").GetBoolean());
        foreach (var id in new[] { "decoder_start_token_id", "bos_token_id", "eos_token_id", "pad_token_id" })
        {
            Assert.Equal(50256, root.GetProperty(id).GetInt32());
        }

        var decoder = root.GetProperty("decoder");
        Assert.Equal("gpt2", decoder.GetProperty("model_type").GetString());
        Assert.Equal(hidden, decoder.GetProperty("n_embd").GetInt32());
        Assert.Equal(layers, decoder.GetProperty("n_layer").GetInt32());
        Assert.Equal(2, decoder.GetProperty("n_head").GetInt32());
        Assert.Equal(128, decoder.GetProperty("n_inner").GetInt32());
        Assert.Equal(50257, decoder.GetProperty("vocab_size").GetInt32());
        Assert.Equal(1024, decoder.GetProperty("n_positions").GetInt32());
        Assert.True(decoder.GetProperty("add_cross_attention").GetBoolean());
        Assert.Equal("gelu_new", decoder.GetProperty("activation_function").GetString());
        var encoder = root.GetProperty("encoder");
        Assert.Equal("vit", encoder.GetProperty("model_type").GetString());
        Assert.Equal(hidden, encoder.GetProperty("hidden_size").GetInt32());
        Assert.Equal(2, encoder.GetProperty("num_hidden_layers").GetInt32());
        Assert.Equal(2, encoder.GetProperty("num_attention_heads").GetInt32());
        Assert.Equal(64, encoder.GetProperty("intermediate_size").GetInt32());
        Assert.Equal(224, encoder.GetProperty("image_size").GetInt32());
        Assert.Equal(16, encoder.GetProperty("patch_size").GetInt32());
    }

    [Fact]
    public void FullSizeConfigHasTheRealModelSizes()
    {
        var vitGpt2 = CaptionerDimensions.For(CaptionerLayout.VitGpt2, CaptionerSize.Full);
        var distilvit = CaptionerDimensions.For(CaptionerLayout.Distilvit, CaptionerSize.Full);

        Assert.Equal(new CaptionerDimensions(768, 12, 12, 3072, 768, 12, 12, 3072), vitGpt2);
        Assert.Equal(new CaptionerDimensions(768, 12, 12, 3072, 768, 6, 12, 3072), distilvit);
    }

    [Fact]
    public void VitGpt2GenerationConfigHoldsOnlyTheIds()
    {
        var folder = _temp.Sub("captioner");
        CaptionerStandIn.Write(folder, new CaptionerStandInOptions { Layout = CaptionerLayout.VitGpt2 });

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "generation_config.json")));
        var root = json.RootElement;

        Assert.Equal(
            ["_from_model_config", "bos_token_id", "decoder_start_token_id", "eos_token_id", "pad_token_id", "transformers_version"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(50256, root.GetProperty("decoder_start_token_id").GetInt32());
        Assert.Equal(50256, root.GetProperty("eos_token_id").GetInt32());
    }

    [Fact]
    public void DistilvitGenerationConfigHasBeamsAndPenalties()
    {
        var folder = _temp.Sub("captioner");
        CaptionerStandIn.Write(folder, new CaptionerStandInOptions { Layout = CaptionerLayout.Distilvit });

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "generation_config.json")));
        var root = json.RootElement;

        Assert.Equal(50, root.GetProperty("max_length").GetInt32());
        Assert.Equal(2, root.GetProperty("no_repeat_ngram_size").GetInt32());
        Assert.Equal(2, root.GetProperty("num_beams").GetInt32());
        Assert.Equal(1.2, root.GetProperty("repetition_penalty").GetDouble());
        Assert.False(root.GetProperty("do_sample").GetBoolean());
        Assert.True(root.GetProperty("early_stopping").GetBoolean());
        foreach (var id in new[] { "bos_token_id", "eos_token_id", "pad_token_id" })
        {
            Assert.Equal(50256, root.GetProperty(id).GetInt32());
        }
    }

    [Theory]
    [InlineData(CaptionerLayout.VitGpt2)]
    [InlineData(CaptionerLayout.Distilvit)]
    public void PreprocessorConfigIsViTSquashResizeWithHalfMeanAndStd(CaptionerLayout layout)
    {
        var folder = _temp.Sub("captioner");
        CaptionerStandIn.Write(folder, new CaptionerStandInOptions { Layout = layout });

        var path = Path.Combine(folder, "preprocessor_config.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;

        Assert.True(root.GetProperty("do_resize").GetBoolean());
        Assert.True(root.GetProperty("do_normalize").GetBoolean());
        Assert.Equal(2, root.GetProperty("resample").GetInt32());
        Assert.Equal(1 / 255.0, root.GetProperty("rescale_factor").GetDouble(), 1e-12);
        Assert.Equal([0.5, 0.5, 0.5], root.GetProperty("image_mean").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal([0.5, 0.5, 0.5], root.GetProperty("image_std").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal("ViTFeatureExtractor", root.GetProperty("image_processor_type").GetString());
        var size = root.GetProperty("size");
        if (layout == CaptionerLayout.VitGpt2)
        {
            Assert.Equal(224, size.GetInt32());
        }
        else
        {
            Assert.Equal(224, size.GetProperty("height").GetInt32());
            Assert.Equal(224, size.GetProperty("width").GetInt32());
            Assert.Equal(327, new FileInfo(path).Length);
        }
    }

    [Fact]
    public void TokenizerFilesAreTheRealGpt2Ones()
    {
        var folder = _temp.Sub("captioner");
        CaptionerStandIn.Write(folder);
        var source = Path.Combine(CaptionerFiles.FindSourceFiles(), CaptionerFiles.VitGpt2Folder);

        foreach (var file in new[] { "vocab.json", "merges.txt", "tokenizer_config.json" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, file)), File.ReadAllBytes(Path.Combine(folder, file)));
        }

        using var map = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "special_tokens_map.json")));
        Assert.All(map.RootElement.EnumerateObject(), p => Assert.Equal("<|endoftext|>", p.Value.GetString()));
        Assert.Equal(131, new FileInfo(Path.Combine(folder, "special_tokens_map.json")).Length);
    }

    [Fact]
    public void TokenizerJsonIsByteLevelBpeWithTheWholeVocabAndMerges()
    {
        var folder = _temp.Sub("captioner");
        CaptionerStandIn.Write(folder);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer.json")));
        var root = json.RootElement;
        var model = root.GetProperty("model");

        Assert.Equal("1.0", root.GetProperty("version").GetString());
        Assert.Equal("BPE", model.GetProperty("type").GetString());
        Assert.Equal(50257, model.GetProperty("vocab").EnumerateObject().Count());
        Assert.Equal(50256, model.GetProperty("vocab").GetProperty("<|endoftext|>").GetInt32());
        Assert.Equal(1169, model.GetProperty("vocab").GetProperty("the").GetInt32());
        var merges = model.GetProperty("merges").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Equal(50000, merges.Count);
        Assert.Equal("Ġ t", merges[0]);
        var added = Assert.Single(root.GetProperty("added_tokens").EnumerateArray());
        Assert.Equal(50256, added.GetProperty("id").GetInt32());
        Assert.True(added.GetProperty("special").GetBoolean());
        Assert.Equal("ByteLevel", root.GetProperty("pre_tokenizer").GetProperty("type").GetString());
        Assert.False(root.GetProperty("pre_tokenizer").GetProperty("add_prefix_space").GetBoolean());
        Assert.Equal("ByteLevel", root.GetProperty("decoder").GetProperty("type").GetString());
    }

    [Fact]
    public void MarkerNamesTheStandIn()
    {
        var folder = _temp.Sub("captioner");
        CaptionerStandIn.Write(folder, new CaptionerStandInOptions { Layout = CaptionerLayout.Distilvit, Seed = 9 });

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "stand-in.json")));
        var root = json.RootElement;

        Assert.True(root.GetProperty("standIn").GetBoolean());
        Assert.Equal("stand-in/distilvit", root.GetProperty("modelId").GetString());
        Assert.Equal("mozilla/distilvit", root.GetProperty("layout").GetString());
        Assert.Equal("tiny", root.GetProperty("size").GetString());
        Assert.Equal(9, root.GetProperty("seed").GetInt32());
        Assert.False(root.GetProperty("quantizedIsCopyOfFp32").GetBoolean());
    }

    [Fact]
    public void SameSeedGivesByteIdenticalFilesAndAnotherSeedOtherWeights()
    {
        var first = CaptionerStandIn.Write(_temp.Sub("a"), new CaptionerStandInOptions { Seed = 4 });
        var second = CaptionerStandIn.Write(_temp.Sub("b"), new CaptionerStandInOptions { Seed = 4 });
        var other = CaptionerStandIn.Write(_temp.Sub("c"), new CaptionerStandInOptions { Seed = 5 });

        for (var i = 0; i < first.Count; i++)
        {
            Assert.True(File.ReadAllBytes(first[i]).AsSpan().SequenceEqual(File.ReadAllBytes(second[i])), first[i]);
        }

        Assert.False(File.ReadAllBytes(first[1]).AsSpan().SequenceEqual(File.ReadAllBytes(other[1])));
    }

    [Fact]
    public void WriteOrReuseSkipsAnUpToDateFolder()
    {
        var folder = _temp.Sub("cache");
        var options = new CaptionerStandInOptions { Quantized = false };

        var written = CaptionerStandIn.WriteOrReuse(folder, options);
        var reused = CaptionerStandIn.WriteOrReuse(folder, options);
        var reseeded = CaptionerStandIn.WriteOrReuse(folder, options with { Seed = 2 });
        File.Delete(Path.Combine(folder, "tokenizer.json"));
        var repaired = CaptionerStandIn.WriteOrReuse(folder, options with { Seed = 2 });

        Assert.False(written.Reused);
        Assert.True(reused.Reused);
        Assert.Equal(written.Paths, reused.Paths);
        Assert.False(reseeded.Reused);
        Assert.False(repaired.Reused);
        Assert.True(File.Exists(Path.Combine(folder, "tokenizer.json")));
    }

    [Fact]
    public void MissingTokenizerFilesGiveAClearError()
    {
        var empty = _temp.Sub("empty");
        Directory.CreateDirectory(empty);

        var error = Assert.Throws<DirectoryNotFoundException>(
            () => CaptionerStandIn.Write(_temp.Sub("captioner"), new CaptionerStandInOptions { TokenizerFilesFolder = empty }));

        Assert.Contains("vocab.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("laid out like the repository's models/vocab", error.Message, StringComparison.Ordinal);
    }
}
