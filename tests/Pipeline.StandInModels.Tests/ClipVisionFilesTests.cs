using System.Text.Json;
using Pipeline.StandInModels.Onnx;

namespace Pipeline.StandInModels.Tests;

public sealed class ClipVisionFilesTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void WritesTheXenovaFileLayout()
    {
        var folder = _temp.Sub("clip");

        var paths = ClipVisionStandIn.Write(folder);

        string[] expected = ["onnx/vision_model.onnx", "config.json", "preprocessor_config.json", "stand-in.json"];
        Assert.Equal(expected.Select(p => Path.Combine(folder, p)), paths);
        Assert.All(paths, p => Assert.True(new FileInfo(p).Length > 0, p));
    }

    [Fact]
    public void PreprocessorConfigHasClipResizeAndNormalisation()
    {
        var folder = _temp.Sub("clip");
        ClipVisionStandIn.Write(folder);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "preprocessor_config.json")));
        var root = json.RootElement;

        Assert.Equal(224, root.GetProperty("size").GetProperty("shortest_edge").GetInt32());
        Assert.Equal(224, root.GetProperty("crop_size").GetProperty("height").GetInt32());
        Assert.Equal(224, root.GetProperty("crop_size").GetProperty("width").GetInt32());
        Assert.True(root.GetProperty("do_center_crop").GetBoolean());
        Assert.Equal(3, root.GetProperty("resample").GetInt32());
        Assert.Equal(1 / 255.0, root.GetProperty("rescale_factor").GetDouble(), 1e-12);
        Assert.Equal([0.48145466, 0.4578275, 0.40821073], root.GetProperty("image_mean").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal([0.26862954, 0.26130258, 0.27577711], root.GetProperty("image_std").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(520, new FileInfo(Path.Combine(folder, "preprocessor_config.json")).Length);
    }

    [Fact]
    public void ConfigDescribesAClipStandIn()
    {
        var folder = _temp.Sub("clip");
        ClipVisionStandIn.Write(folder, new ClipVisionStandInOptions { Hidden = 48 });

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json")));
        var root = json.RootElement;

        Assert.True(root.GetProperty("_stand_in").GetBoolean());
        Assert.Equal("clip", root.GetProperty("model_type").GetString());
        Assert.Equal(512, root.GetProperty("projection_dim").GetInt32());
        var vision = root.GetProperty("vision_config");
        Assert.Equal(48, vision.GetProperty("hidden_size").GetInt32());
        Assert.Equal(224, vision.GetProperty("image_size").GetInt32());
        Assert.Equal(32, vision.GetProperty("patch_size").GetInt32());
    }

    [Fact]
    public void StandInMarkerRecordsOptions()
    {
        var folder = _temp.Sub("clip");
        ClipVisionStandIn.Write(folder, new ClipVisionStandInOptions { Hidden = 16, Seed = 99, ModelId = "test/clip" });

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "stand-in.json")));
        var root = json.RootElement;

        Assert.True(root.GetProperty("standIn").GetBoolean());
        Assert.Equal("test/clip", root.GetProperty("modelId").GetString());
        Assert.Equal("xenova/clip-vit-base-patch32", root.GetProperty("layout").GetString());
        Assert.Equal("Pipeline.StandInModels", root.GetProperty("generator").GetString());
        Assert.Equal(16, root.GetProperty("hidden").GetInt32());
        Assert.Equal(99, root.GetProperty("seed").GetInt32());
    }

    [Fact]
    public void SameSeedWritesByteIdenticalFiles()
    {
        var options = new ClipVisionStandInOptions { Hidden = 24, Seed = 5 };
        var first = ClipVisionStandIn.Write(_temp.Sub("a"), options);
        var second = ClipVisionStandIn.Write(_temp.Sub("b"), options);

        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(File.ReadAllBytes(first[i]), File.ReadAllBytes(second[i]));
        }
    }

    [Fact]
    public void DifferentSeedGivesDifferentWeightsOfTheSameShapes()
    {
        var a = OnnxFile.Read(ClipVisionStandIn.Write(_temp.Sub("a"), new ClipVisionStandInOptions { Hidden = 24, Seed = 1 })[0]);
        var b = OnnxFile.Read(ClipVisionStandIn.Write(_temp.Sub("b"), new ClipVisionStandInOptions { Hidden = 24, Seed = 2 })[0]);

        var weightsA = a.Graph.Initializer.Where(t => t.DataType == 1).ToDictionary(t => t.Name);
        var weightsB = b.Graph.Initializer.Where(t => t.DataType == 1).ToDictionary(t => t.Name);
        Assert.Equal(weightsA.Keys.Order(), weightsB.Keys.Order());
        Assert.NotEmpty(weightsA);
        foreach (var (name, tensor) in weightsA)
        {
            Assert.Equal(tensor.Dims, weightsB[name].Dims);
            Assert.NotEqual(tensor.RawData, weightsB[name].RawData);
        }
    }

    [Fact]
    public void HiddenSetsTheWeightShapes()
    {
        var model = ClipVisionStandIn.BuildVisionModel(new ClipVisionStandInOptions { Hidden = 40 });
        var weights = model.Graph.Initializer.ToDictionary(t => t.Name);

        Assert.Equal([40L, 3, 32, 32], weights["vision_model.embeddings.patch_embedding.weight"].Dims);
        Assert.Equal([49L, 40], weights["vision_model.embeddings.position_embedding.weight"].Dims);
        Assert.Equal([40L, 512], weights["visual_projection.weight"].Dims);
    }

    [Fact]
    public void TooSmallHiddenIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ClipVisionStandIn.BuildVisionModel(new ClipVisionStandInOptions { Hidden = 1 }));
    }
}
