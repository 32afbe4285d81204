using System.Text.Json;
using Pipeline.StandInModels.Onnx;

namespace Pipeline.StandInModels.Tests;

public sealed class ClipStandInFilesTests(ClipStandInFixture fixture) : IClassFixture<ClipStandInFixture>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void XenovaFolderHasTheRealLayout()
    {
        string[] expected =
        [
            "onnx/vision_model.onnx", "onnx/text_model.onnx", "config.json", "preprocessor_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt", "stand-in.json",
        ];

        Assert.Equal(expected.Select(p => Path.Combine(fixture.XenovaFolder, p)), fixture.XenovaPaths);
        Assert.All(fixture.XenovaPaths, p => Assert.True(new FileInfo(p).Length > 0, p));
    }

    [Fact]
    public void ImmichFolderHasTheRealLayout()
    {
        string[] expected =
        [
            "config.json", "visual/model.onnx", "visual/preprocess_cfg.json", "textual/model.onnx", "textual/tokenizer.json",
            "textual/tokenizer_config.json", "textual/special_tokens_map.json", "textual/vocab.json", "textual/merges.txt", "stand-in.json",
        ];

        Assert.Equal(expected.Select(p => Path.Combine(fixture.ImmichFolder, p)), fixture.ImmichPaths);
        Assert.All(fixture.ImmichPaths, p => Assert.True(new FileInfo(p).Length > 0, p));
    }

    [Fact]
    public void VocabAndMergesAreByteCopiesOfTheRealFiles()
    {
        var source = ClipTokenizerFiles.Locate();

        foreach (var folder in new[] { fixture.XenovaFolder, Path.Combine(fixture.ImmichFolder, "textual") })
        {
            foreach (var name in new[] { "vocab.json", "merges.txt" })
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(source, name)), File.ReadAllBytes(Path.Combine(folder, name)));
            }
        }
    }

    [Fact]
    public void TokenizerJsonHasTheFullVocabularyAndMerges()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(fixture.XenovaFolder, "tokenizer.json")));
        var root = json.RootElement;
        var model = root.GetProperty("model");

        Assert.Equal("1.0", root.GetProperty("version").GetString());
        Assert.Equal("BPE", model.GetProperty("type").GetString());
        var vocab = model.GetProperty("vocab").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(49408, vocab.Count);
        Assert.Equal(49406, vocab["<|startoftext|>"]);
        Assert.Equal(49407, vocab["<|endoftext|>"]);
        Assert.Equal(Enumerable.Range(0, 49408), vocab.Values.Order());
        Assert.Equal(320, vocab["a</w>"]);
        Assert.Equal(2368, vocab["cat</w>"]);
        var merges = model.GetProperty("merges").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Equal(48894, merges.Count);
        Assert.Equal("i n", merges[0]);
        Assert.Equal("</w>", model.GetProperty("end_of_word_suffix").GetString());
        Assert.Equal("", model.GetProperty("continuing_subword_prefix").GetString());
        Assert.Equal("<|endoftext|>", model.GetProperty("unk_token").GetString());

        var added = root.GetProperty("added_tokens").EnumerateArray().ToList();
        Assert.Equal([49406, 49407], added.Select(a => a.GetProperty("id").GetInt32()));
        Assert.Equal(["<|startoftext|>", "<|endoftext|>"], added.Select(a => a.GetProperty("content").GetString()));
        Assert.All(added, a => Assert.True(a.GetProperty("special").GetBoolean()));
    }

    [Fact]
    public void TokenizerJsonPipelineIsClips()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(fixture.XenovaFolder, "tokenizer.json")));
        var root = json.RootElement;

        var normalizers = root.GetProperty("normalizer").GetProperty("normalizers").EnumerateArray().ToList();
        Assert.Equal(["NFC", "Replace", "Lowercase"], normalizers.Select(n => n.GetProperty("type").GetString()));
        Assert.Equal(@"\s+", normalizers[1].GetProperty("pattern").GetProperty("Regex").GetString());
        Assert.Equal(" ", normalizers[1].GetProperty("content").GetString());

        var pre = root.GetProperty("pre_tokenizer").GetProperty("pretokenizers").EnumerateArray().ToList();
        Assert.Equal("Split", pre[0].GetProperty("type").GetString());
        Assert.Equal(ClipTokenizerFiles.PreTokenizerPattern, pre[0].GetProperty("pattern").GetProperty("Regex").GetString());
        Assert.Equal("Removed", pre[0].GetProperty("behavior").GetString());
        Assert.True(pre[0].GetProperty("invert").GetBoolean());
        Assert.Equal("ByteLevel", pre[1].GetProperty("type").GetString());
        Assert.False(pre[1].GetProperty("add_prefix_space").GetBoolean());
        Assert.False(pre[1].GetProperty("use_regex").GetBoolean());

        var post = root.GetProperty("post_processor");
        Assert.Equal("RobertaProcessing", post.GetProperty("type").GetString());
        Assert.Equal("<|endoftext|>", post.GetProperty("sep")[0].GetString());
        Assert.Equal(49407, post.GetProperty("sep")[1].GetInt32());
        Assert.Equal("<|startoftext|>", post.GetProperty("cls")[0].GetString());
        Assert.Equal(49406, post.GetProperty("cls")[1].GetInt32());
        Assert.Equal("ByteLevel", root.GetProperty("decoder").GetProperty("type").GetString());
    }

    [Fact]
    public void TokenizerConfigAndSpecialTokensAreClips()
    {
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(fixture.XenovaFolder, "tokenizer_config.json")));
        var root = config.RootElement;
        Assert.Equal("CLIPTokenizer", root.GetProperty("tokenizer_class").GetString());
        Assert.Equal(77, root.GetProperty("model_max_length").GetInt32());
        Assert.True(root.GetProperty("do_lower_case").GetBoolean());
        Assert.Equal("<|startoftext|>", root.GetProperty("bos_token").GetString());
        foreach (var name in new[] { "eos_token", "pad_token", "unk_token" })
        {
            Assert.Equal("<|endoftext|>", root.GetProperty(name).GetString());
        }

        using var map = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(fixture.XenovaFolder, "special_tokens_map.json")));
        Assert.Equal("<|startoftext|>", map.RootElement.GetProperty("bos_token").GetProperty("content").GetString());
        Assert.Equal("<|endoftext|>", map.RootElement.GetProperty("eos_token").GetProperty("content").GetString());
        Assert.Equal("<|endoftext|>", map.RootElement.GetProperty("unk_token").GetProperty("content").GetString());
        Assert.Equal("<|endoftext|>", map.RootElement.GetProperty("pad_token").GetString());
    }

    [Fact]
    public void ImmichTokenizerFilesEqualTheXenovaOnes()
    {
        foreach (var name in new[] { "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(fixture.XenovaFolder, name)), File.ReadAllBytes(Path.Combine(fixture.ImmichFolder, "textual", name)));
        }
    }

    [Fact]
    public void XenovaConfigDescribesTheStandIn()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture.XenovaFolder, "config.json")));
        var root = json.RootElement;

        Assert.True(root.GetProperty("_stand_in").GetBoolean());
        Assert.Equal("clip", root.GetProperty("model_type").GetString());
        Assert.Equal(512, root.GetProperty("projection_dim").GetInt32());
        var text = root.GetProperty("text_config");
        Assert.Equal(32, text.GetProperty("hidden_size").GetInt32());
        Assert.Equal(2, text.GetProperty("num_hidden_layers").GetInt32());
        Assert.Equal(2, text.GetProperty("num_attention_heads").GetInt32());
        Assert.Equal(128, text.GetProperty("intermediate_size").GetInt32());
        Assert.Equal(49408, text.GetProperty("vocab_size").GetInt32());
        Assert.Equal(77, text.GetProperty("max_position_embeddings").GetInt32());
        var vision = root.GetProperty("vision_config");
        Assert.Equal(32, vision.GetProperty("hidden_size").GetInt32());
        Assert.Equal(2, vision.GetProperty("num_hidden_layers").GetInt32());
        Assert.Equal(224, vision.GetProperty("image_size").GetInt32());
        Assert.Equal(32, vision.GetProperty("patch_size").GetInt32());
        Assert.Equal("quick_gelu", vision.GetProperty("hidden_act").GetString());
    }

    [Fact]
    public void PreprocessorConfigIsTheXenovaOne()
    {
        var path = Path.Combine(fixture.XenovaFolder, "preprocessor_config.json");
        var reconstructed = Path.Combine(ClipTokenizerFiles.Locate(), "preprocessor_config.xenova.reconstructed.json");

        Assert.Equal(File.ReadAllBytes(reconstructed), File.ReadAllBytes(path));
    }

    [Fact]
    public void ImmichConfigAndPreprocessingCopyTheRealFiles()
    {
        var immichConfigs = VocabFiles.Folder("immich-clip-vit-b-32");

        Assert.Equal(
            File.ReadAllBytes(Path.Combine(immichConfigs, "visual_preprocess_cfg.reconstructed.json")),
            File.ReadAllBytes(Path.Combine(fixture.ImmichFolder, "visual", "preprocess_cfg.json")));
        // Full size has exactly the real structure and values.
        Assert.Equal(
            File.ReadAllText(Path.Combine(immichConfigs, "config.reconstructed.json")),
            ClipStandIn.ImmichConfig(new ClipStandInOptions { Layout = ClipStandInLayout.Immich, Size = ClipStandInSize.Full }));

        using var tiny = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture.ImmichFolder, "config.json")));
        var root = tiny.RootElement;
        Assert.Equal(512, root.GetProperty("embed_dim").GetInt32());
        Assert.Equal(32, root.GetProperty("vision_cfg").GetProperty("width").GetInt32());
        Assert.Equal(16, root.GetProperty("vision_cfg").GetProperty("head_width").GetInt32());
        Assert.Equal(77, root.GetProperty("text_cfg").GetProperty("context_length").GetInt32());
        Assert.Equal(2, root.GetProperty("text_cfg").GetProperty("heads").GetInt32());
    }

    [Theory]
    [InlineData(ClipStandInLayout.Xenova, "stand-in/clip-vit-base-patch32", "xenova/clip-vit-base-patch32")]
    [InlineData(ClipStandInLayout.Immich, "stand-in/immich-ViT-B-32__openai", "immich/ViT-B-32__openai")]
    public void StandInMarkerNamesModelAndLayout(ClipStandInLayout layout, string modelId, string layoutName)
    {
        var folder = layout == ClipStandInLayout.Xenova ? fixture.XenovaFolder : fixture.ImmichFolder;

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "stand-in.json")));
        var root = json.RootElement;

        Assert.True(root.GetProperty("standIn").GetBoolean());
        Assert.Equal(modelId, root.GetProperty("modelId").GetString());
        Assert.Equal(layoutName, root.GetProperty("layout").GetString());
        Assert.Equal("Pipeline.StandInModels", root.GetProperty("generator").GetString());
        Assert.Equal(7, root.GetProperty("seed").GetInt32());
        Assert.Equal("tiny", root.GetProperty("size").GetString());
        Assert.Equal(32, root.GetProperty("text").GetProperty("width").GetInt32());
    }

    [Fact]
    public void ModelIdCanBeOverridden()
    {
        var folder = _temp.Sub("custom");
        ClipStandIn.Write(folder, new ClipStandInOptions { ModelId = "test/clip" });

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "stand-in.json")));
        Assert.Equal("test/clip", json.RootElement.GetProperty("modelId").GetString());
        Assert.Equal("test/clip", OnnxFile.Read(Path.Combine(folder, "onnx", "text_model.onnx")).MetadataProps.Single(p => p.Key == "stand_in.model_id").Value);
    }

    [Theory]
    [InlineData(ClipStandInLayout.Xenova)]
    [InlineData(ClipStandInLayout.Immich)]
    public void SameSeedWritesByteIdenticalFiles(ClipStandInLayout layout)
    {
        var options = new ClipStandInOptions { Layout = layout, Seed = 5 };
        var first = ClipStandIn.Write(_temp.Sub("a"), options);
        var second = ClipStandIn.Write(_temp.Sub("b"), options);

        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(File.ReadAllBytes(first[i]), File.ReadAllBytes(second[i]));
        }
    }

    [Fact]
    public void DifferentSeedGivesDifferentWeightsOfTheSameShapes()
    {
        var a = OnnxFile.Read(ClipStandIn.Write(_temp.Sub("a"), new ClipStandInOptions { Seed = 1 })[1]);
        var b = OnnxFile.Read(ClipStandIn.Write(_temp.Sub("b"), new ClipStandInOptions { Seed = 2 })[1]);

        var weightsA = a.Graph.Initializer.Where(t => t.Name.EndsWith(".weight", StringComparison.Ordinal)).ToDictionary(t => t.Name);
        var weightsB = b.Graph.Initializer.Where(t => t.Name.EndsWith(".weight", StringComparison.Ordinal)).ToDictionary(t => t.Name);
        Assert.Equal(weightsA.Keys.Order(), weightsB.Keys.Order());
        Assert.NotEmpty(weightsA);
        foreach (var (name, tensor) in weightsA)
        {
            Assert.Equal(tensor.Dims, weightsB[name].Dims);
            Assert.NotEqual(tensor.RawData, weightsB[name].RawData);
        }
    }

    [Theory]
    [InlineData(0, 1)] // onnx/vision_model.onnx, visual/model.onnx
    [InlineData(1, 3)] // onnx/text_model.onnx, textual/model.onnx
    public void BothLayoutsHoldTheSameWeights(int xenovaIndex, int immichIndex)
    {
        var xenova = OnnxFile.Read(fixture.XenovaPaths[xenovaIndex]).Graph.Initializer.ToDictionary(t => t.Name);
        var immich = OnnxFile.Read(fixture.ImmichPaths[immichIndex]).Graph.Initializer.ToDictionary(t => t.Name);

        var weights = xenova.Keys.Where(k => k.EndsWith(".weight", StringComparison.Ordinal) || k.EndsWith(".bias", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(weights);
        foreach (var name in weights)
        {
            Assert.Equal(xenova[name].RawData, immich[name].RawData);
        }
    }

    [Fact]
    public void InitializersHaveClipNamesAndShapes()
    {
        var vision = OnnxFile.Read(fixture.XenovaPaths[0]).Graph.Initializer.ToDictionary(t => t.Name);
        var text = OnnxFile.Read(fixture.XenovaPaths[1]).Graph.Initializer.ToDictionary(t => t.Name);

        Assert.Equal([32L, 3, 32, 32], vision["vision_model.embeddings.patch_embedding.weight"].Dims);
        Assert.Equal([32L], vision["vision_model.embeddings.class_embedding"].Dims);
        Assert.Equal([50L, 32], vision["vision_model.embeddings.position_embedding.weight"].Dims);
        Assert.Equal([32L, 128], vision["vision_model.encoder.layers.1.mlp.fc1.weight"].Dims);
        Assert.Equal([32L, 32], vision["vision_model.encoder.layers.0.self_attn.q_proj.weight"].Dims);
        Assert.Contains("vision_model.pre_layrnorm.weight", vision.Keys);
        Assert.Contains("vision_model.post_layernorm.bias", vision.Keys);
        Assert.Equal([32L, 512], vision["visual_projection.weight"].Dims);
        Assert.DoesNotContain("visual_projection.bias", vision.Keys);
        Assert.DoesNotContain("vision_model.embeddings.patch_embedding.bias", vision.Keys);

        Assert.Equal([49408L, 32], text["text_model.embeddings.token_embedding.weight"].Dims);
        Assert.Equal([77L, 32], text["text_model.embeddings.position_embedding.weight"].Dims);
        Assert.Contains("text_model.final_layer_norm.weight", text.Keys);
        Assert.Equal([32L, 512], text["text_projection.weight"].Dims);
        Assert.DoesNotContain("text_projection.bias", text.Keys);
    }

    [Fact]
    public void ModelsTargetIrVersion8AndOpset17()
    {
        foreach (var path in fixture.XenovaPaths.Take(2).Concat([fixture.ImmichPaths[1], fixture.ImmichPaths[3]]))
        {
            var model = OnnxFile.Read(path);
            Assert.Equal(8, model.IrVersion);
            var opset = Assert.Single(model.OpsetImport);
            Assert.Equal("", opset.Domain);
            Assert.Equal(17, opset.Version);
        }
    }

    [Fact]
    public void CompleteFolderIsReusedUntilOptionsOrFilesChange()
    {
        var folder = _temp.Sub("reuse");
        var options = new ClipStandInOptions { Layout = ClipStandInLayout.Immich, Seed = 4 };

        var first = ClipStandIn.WriteOrReuse(folder, options);
        var again = ClipStandIn.WriteOrReuse(folder, options);
        var otherSeed = ClipStandIn.WriteOrReuse(folder, options with { Seed = 5 });
        File.Delete(Path.Combine(folder, "textual", "model.onnx"));
        var afterDelete = ClipStandIn.WriteOrReuse(folder, options with { Seed = 5 });
        File.WriteAllText(Path.Combine(folder, ".complete"), "stale\n");
        var afterStaleKey = ClipStandIn.WriteOrReuse(folder, options with { Seed = 5 });

        Assert.False(first.Reused);
        Assert.True(again.Reused);
        Assert.Equal(first.Paths, again.Paths);
        Assert.False(otherSeed.Reused);
        Assert.False(afterDelete.Reused);
        Assert.False(afterStaleKey.Reused);
        Assert.True(File.Exists(Path.Combine(folder, "textual", "model.onnx")));
        Assert.True(ClipStandIn.WriteOrReuse(folder, options with { Seed = 5 }).Reused);
    }

    [Fact]
    public void TokenizerFilesFolderMayBeTheVocabularyRootOrTheClipFolder()
    {
        var clipFolder = ClipTokenizerFiles.Locate();

        Assert.Equal(VocabFiles.Folder(ClipTokenizerFiles.Family), clipFolder);
        Assert.Equal(clipFolder, ClipTokenizerFiles.Locate(VocabFiles.Root));
        Assert.Equal(clipFolder, ClipTokenizerFiles.Locate(clipFolder));
    }

    [Fact]
    public void MissingTokenizerFilesAreReportedClearly()
    {
        var empty = _temp.Sub("no-tokenizer");
        Directory.CreateDirectory(empty);

        var error = Assert.Throws<FileNotFoundException>(() => ClipStandIn.Write(_temp.Sub("out"), new ClipStandInOptions { TokenizerFilesFolder = empty }));

        Assert.Contains(empty, error.Message, StringComparison.Ordinal);
        Assert.Contains("vocab.json", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Sub("out")));
    }

    [Fact]
    public void WrongVocabularyIsRejected()
    {
        var folder = _temp.Sub("wrong");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "vocab.json"), "{\"a\": 0}");
        File.WriteAllText(Path.Combine(folder, "merges.txt"), "#version: 0.2\n");

        var error = Assert.Throws<InvalidDataException>(() => ClipTokenizerFiles.Load(folder));

        Assert.Contains("49408", error.Message, StringComparison.Ordinal);
    }
}
