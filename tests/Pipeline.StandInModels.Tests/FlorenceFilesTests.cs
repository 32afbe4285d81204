using System.Text.Json;
using Pipeline.StandInModels.Florence;

namespace Pipeline.StandInModels.Tests;

public sealed class FlorenceFilesTests(FlorenceFixture fixture) : IClassFixture<FlorenceFixture>
{
    private static readonly string[] AllFiles =
    [
        "onnx/vision_encoder.onnx", "onnx/embed_tokens.onnx", "onnx/encoder_model.onnx", "onnx/decoder_model_merged.onnx",
        "onnx/vision_encoder_quantized.onnx", "onnx/embed_tokens_quantized.onnx", "onnx/encoder_model_quantized.onnx",
        "onnx/decoder_model_merged_quantized.onnx",
        "config.json", "generation_config.json", "preprocessor_config.json", "tokenizer.json", "tokenizer_config.json",
        "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt", "stand-in.json",
    ];

    [Fact]
    public void WritesEveryFileOfTheOnnxCommunityLayout()
    {
        Assert.Equal(AllFiles.Select(f => Path.Combine(fixture.Folder, f)), fixture.Paths);
        Assert.Equal(AllFiles, FlorenceStandIn.FileNames(FlorenceFixture.Options));
        Assert.All(fixture.Paths, p => Assert.True(new FileInfo(p).Length > 0, p));
        // Tiny: a few MB besides the 51289 × 64 float table, which embed_tokens and the decoder (tied lm_head) both hold.
        Assert.InRange(new FileInfo(Path.Combine(fixture.Folder, "onnx/decoder_model_merged.onnx")).Length, 13_000_000, 20_000_000);
        Assert.InRange(new FileInfo(Path.Combine(fixture.Folder, "onnx/vision_encoder.onnx")).Length, 100_000, 5_000_000);
    }

    [Fact]
    public void WithoutQuantizedOnlyTheFloatGraphsAreListed()
    {
        var names = FlorenceStandIn.FileNames(FlorenceFixture.Options with { Quantized = false });

        Assert.DoesNotContain(names, n => n.Contains("_quantized", StringComparison.Ordinal));
        Assert.Equal(AllFiles.Length - 4, names.Count);
    }

    [Fact]
    public void ConfigIsTheRealOneWithTheStandInSizes()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture.Folder, "config.json")));
        var root = json.RootElement;

        Assert.True(root.GetProperty("_stand_in").GetBoolean());
        Assert.Equal("florence2", root.GetProperty("model_type").GetString());
        Assert.Equal("Florence2ForConditionalGeneration", root.GetProperty("architectures")[0].GetString());
        Assert.True(root.GetProperty("is_encoder_decoder").GetBoolean());
        Assert.Equal(577, root.GetProperty("num_image_tokens").GetInt32());
        Assert.Equal(51289, root.GetProperty("vocab_size").GetInt32());
        Assert.Equal(64, root.GetProperty("projection_dim").GetInt32());
        var text = root.GetProperty("text_config");
        Assert.Equal("florence2_language", text.GetProperty("model_type").GetString());
        Assert.Equal(64, text.GetProperty("d_model").GetInt32());
        Assert.Equal(2, text.GetProperty("encoder_layers").GetInt32());
        Assert.Equal(2, text.GetProperty("decoder_layers").GetInt32());
        Assert.Equal(4, text.GetProperty("encoder_attention_heads").GetInt32());
        Assert.Equal(4, text.GetProperty("decoder_attention_heads").GetInt32());
        Assert.Equal(128, text.GetProperty("encoder_ffn_dim").GetInt32());
        Assert.Equal(128, text.GetProperty("decoder_ffn_dim").GetInt32());
        Assert.False(text.GetProperty("scale_embedding").GetBoolean());
        Assert.Equal(2, text.GetProperty("decoder_start_token_id").GetInt32());
    }

    [Fact]
    public void FullSizeHasTheRealTextSizes()
    {
        Assert.Equal(new FlorenceDimensions(768, 12, 6, 6, 3072, 12, 3072), FlorenceDimensions.For(FlorenceSize.Full));
    }

    [Fact]
    public void GenerationConfigIsTheRealOne()
    {
        var copy = File.ReadAllBytes(Path.Combine(fixture.Folder, "generation_config.json"));

        Assert.Equal(File.ReadAllBytes(Path.Combine(VocabFiles.Folder("florence-2-base-ft"), "generation_config.json")), copy);
    }

    [Fact]
    public void PreprocessorConfigIsFlorencesClipProcessorWithTheTaskMaps()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture.Folder, "preprocessor_config.json")));
        var root = json.RootElement;

        Assert.Equal("CLIPImageProcessor", root.GetProperty("image_processor_type").GetString());
        Assert.Equal("Florence2Processor", root.GetProperty("processor_class").GetString());
        Assert.Equal(768, root.GetProperty("size").GetProperty("height").GetInt32());
        Assert.Equal(768, root.GetProperty("size").GetProperty("width").GetInt32());
        Assert.Equal(3, root.GetProperty("resample").GetInt32());
        Assert.False(root.GetProperty("do_center_crop").GetBoolean());
        Assert.Equal(577, root.GetProperty("image_seq_length").GetInt32());
        Assert.Equal([0.485, 0.456, 0.406], root.GetProperty("image_mean").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal([0.229, 0.224, 0.225], root.GetProperty("image_std").EnumerateArray().Select(e => e.GetDouble()));
        var types = root.GetProperty("tasks_answer_post_processing_type");
        Assert.Equal("description_with_bboxes", types.GetProperty("<OD>").GetString());
        Assert.Equal("ocr", types.GetProperty("<OCR_WITH_REGION>").GetString());
        Assert.Equal("pure_text", types.GetProperty("<CAPTION>").GetString());
        var prompts = root.GetProperty("task_prompts_without_inputs");
        Assert.Equal("Locate the objects with category name in the image.", prompts.GetProperty("<OD>").GetString());
        Assert.Equal("What is the text in the image, with regions?", prompts.GetProperty("<OCR_WITH_REGION>").GetString());
        Assert.Equal(8, prompts.EnumerateObject().Count());
        Assert.Equal("Locate {input} in the image.", root.GetProperty("task_prompts_with_input").GetProperty("<OPEN_VOCABULARY_DETECTION>").GetString());
    }

    [Fact]
    public void TokenizerJsonIsBartsBpeWithFlorencesAddedTokens()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(fixture.Folder, "tokenizer.json")));
        var root = json.RootElement;

        var added = root.GetProperty("added_tokens").EnumerateArray()
            .Select(t => (Id: t.GetProperty("id").GetInt32(), Content: t.GetProperty("content").GetString()!, Special: t.GetProperty("special").GetBoolean()))
            .ToList();
        Assert.Equal(5 + 1024, added.Count);
        Assert.All(added, t => Assert.True(t.Special));
        Assert.Equal([(0, "<s>"), (1, "<pad>"), (2, "</s>"), (3, "<unk>"), (50264, "<mask>")], added.Take(5).Select(t => (t.Id, t.Content)));
        Assert.Equal((50265, "<od>"), (added[5].Id, added[5].Content));
        Assert.Equal((50269, "<loc_0>"), (added[9].Id, added[9].Content));
        Assert.Equal((51268, "<loc_999>"), (added[1008].Id, added[1008].Content));
        Assert.Equal((51288, "<and>"), (added[^1].Id, added[^1].Content));
        Assert.Equal(Enumerable.Range(50265, 1024), added.Skip(5).Select(t => t.Id));

        Assert.Equal("ByteLevel", root.GetProperty("pre_tokenizer").GetProperty("type").GetString());
        Assert.False(root.GetProperty("pre_tokenizer").GetProperty("add_prefix_space").GetBoolean());
        Assert.Equal("ByteLevel", root.GetProperty("decoder").GetProperty("type").GetString());
        var post = root.GetProperty("post_processor");
        Assert.Equal("RobertaProcessing", post.GetProperty("type").GetString());
        Assert.Equal("<s>", post.GetProperty("cls")[0].GetString());
        Assert.Equal(0, post.GetProperty("cls")[1].GetInt32());
        Assert.Equal("</s>", post.GetProperty("sep")[0].GetString());
        Assert.Equal(2, post.GetProperty("sep")[1].GetInt32());
        var model = root.GetProperty("model");
        Assert.Equal("BPE", model.GetProperty("type").GetString());
        Assert.Equal(50265, model.GetProperty("vocab").EnumerateObject().Count());
        Assert.Equal(50000, model.GetProperty("merges").GetArrayLength());
    }

    [Fact]
    public void TokenizerConfigIsBartsWithTheSpecialRoles()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture.Folder, "tokenizer_config.json")));
        var root = json.RootElement;

        Assert.Equal("BartTokenizer", root.GetProperty("tokenizer_class").GetString());
        Assert.Equal(1024, root.GetProperty("model_max_length").GetInt32());
        Assert.Equal("<s>", root.GetProperty("bos_token").GetString());
        Assert.Equal("</s>", root.GetProperty("eos_token").GetString());
        Assert.Equal("<pad>", root.GetProperty("pad_token").GetString());
        Assert.Equal("<unk>", root.GetProperty("unk_token").GetString());
        Assert.Equal("<mask>", root.GetProperty("mask_token").GetString());
        Assert.Equal(1029, root.GetProperty("added_tokens_decoder").EnumerateObject().Count());
        Assert.Equal("<loc_0>", root.GetProperty("added_tokens_decoder").GetProperty("50269").GetProperty("content").GetString());
    }

    [Fact]
    public void VocabAndMergesAreBartsRealFiles()
    {
        foreach (var file in new[] { "vocab.json", "merges.txt" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(VocabFiles.Folder("bart"), file)), File.ReadAllBytes(Path.Combine(fixture.Folder, file)));
        }
    }

    [Fact]
    public void MarkerFlagsTheStandIn()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture.Folder, "stand-in.json")));
        var root = json.RootElement;

        Assert.True(root.GetProperty("standIn").GetBoolean());
        Assert.Equal("stand-in/Florence-2-base-ft", root.GetProperty("modelId").GetString());
        Assert.Equal("onnx-community/Florence-2-base-ft", root.GetProperty("layout").GetString());
        Assert.Equal(64, root.GetProperty("hidden").GetInt32());
        Assert.Equal(31, root.GetProperty("eosAfterTokens").GetInt32());
    }

    [Fact]
    public void WriteOrReuseLeavesAnUpToDateFolderAlone()
    {
        using var temp = new TempFolder();
        var folder = temp.Sub("florence");
        var options = new FlorenceStandInOptions();

        var first = FlorenceStandIn.WriteOrReuse(folder, options);
        var second = FlorenceStandIn.WriteOrReuse(folder, options);
        var other = FlorenceStandIn.WriteOrReuse(folder, options with { Seed = 2 });

        Assert.False(first.Reused);
        Assert.True(second.Reused);
        Assert.False(other.Reused);
        Assert.Equal(first.Paths, second.Paths);
    }

    [Fact]
    public void EqualOptionsGiveByteIdenticalGraphs()
    {
        using var temp = new TempFolder();
        var folder = temp.Sub("florence");

        FlorenceStandIn.Write(folder, FlorenceFixture.Options);

        foreach (var graph in FlorenceFixture.Graphs)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(fixture.Folder, graph)), File.ReadAllBytes(Path.Combine(folder, graph)));
        }
    }
}
