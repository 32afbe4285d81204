using Pipeline.Imaging.Tensors;

namespace Pipeline.Tests.Unit.Tensors;

public sealed class PreprocessorConfigTests
{
    // The preprocessor_config.json of Xenova/clip-vit-base-patch32, as the worker finds it in the model folder.
    private const string XenovaClipJson = """
        {
          "crop_size": {
            "height": 224,
            "width": 224
          },
          "do_center_crop": true,
          "do_convert_rgb": true,
          "do_normalize": true,
          "do_rescale": true,
          "do_resize": true,
          "feature_extractor_type": "CLIPFeatureExtractor",
          "image_mean": [
            0.48145466,
            0.4578275,
            0.40821073
          ],
          "image_processor_type": "CLIPFeatureExtractor",
          "image_std": [
            0.26862954,
            0.26130258,
            0.27577711
          ],
          "resample": 3,
          "rescale_factor": 0.00392156862745098,
          "size": {
            "shortest_edge": 224
          }
        }
        """;

    private const string VitJson = """
        {"do_normalize":true,"do_resize":true,"image_mean":[0.5,0.5,0.5],"image_std":[0.5,0.5,0.5],"resample":2,"size":224,"feature_extractor_type":"ViTFeatureExtractor"}
        """;

    [Fact]
    public void XenovaClipConfigResizesShortestEdgeThenCropsBicubic()
    {
        var config = PreprocessorConfig.Parse(XenovaClipJson);

        Assert.Equal(224, config.ResizeShortestEdge);
        Assert.Equal((224, 224), (config.CropWidth, config.CropHeight));
        Assert.Equal((224, 224), (config.OutputWidth, config.OutputHeight));
        Assert.True(config.Bicubic);
        Assert.Equal(1 / 255f, config.RescaleFactor, 1e-9f);
        Assert.Equal([0.48145466f, 0.4578275f, 0.40821073f], config.Mean);
        Assert.Equal([0.26862954f, 0.26130258f, 0.27577711f], config.Std);
        Assert.Equal(3 * 224 * 224, config.TensorLength);
    }

    [Fact]
    public void XenovaClipConfigMatchesTheBuiltInClipDefault()
    {
        var config = PreprocessorConfig.Parse(XenovaClipJson);
        var builtIn = PreprocessorConfig.Clip;

        Assert.Equal(
            (builtIn.ResizeShortestEdge, builtIn.CropWidth, builtIn.CropHeight, builtIn.Bicubic),
            (config.ResizeShortestEdge, config.CropWidth, config.CropHeight, config.Bicubic));
        Assert.Equal(builtIn.Mean, config.Mean);
        Assert.Equal(builtIn.Std, config.Std);
    }

    [Fact]
    public void VitConfigSquashesToSquareWithoutCropBilinear()
    {
        var config = PreprocessorConfig.Parse(VitJson);

        Assert.Null(config.ResizeShortestEdge);
        Assert.Equal((224, 224), (config.ResizeWidth, config.ResizeHeight));
        Assert.Null(config.CropWidth);
        Assert.Null(config.CropHeight);
        Assert.False(config.Bicubic);
        Assert.Equal([0.5f, 0.5f, 0.5f], config.Mean);
        Assert.Equal([0.5f, 0.5f, 0.5f], config.Std);
        Assert.Equal((224, 224), TensorWriter.ResizedSize(640, 480, config));
    }

    [Theory]
    [InlineData(640, 480, 298, 224)]
    [InlineData(480, 640, 224, 298)]
    [InlineData(224, 224, 224, 224)]
    [InlineData(448, 224, 448, 224)]
    public void ClipResizeKeepsAspectWithShortSide224(int width, int height, int resizedWidth, int resizedHeight)
    {
        Assert.Equal((resizedWidth, resizedHeight), TensorWriter.ResizedSize(width, height, PreprocessorConfig.Parse(XenovaClipJson)));
    }

    [Fact]
    public void MeanWithTwoValuesIsRefused()
    {
        var json = VitJson.Replace("\"image_mean\":[0.5,0.5,0.5]", "\"image_mean\":[0.5,0.5]", StringComparison.Ordinal);

        var error = Assert.Throws<FormatException>(() => PreprocessorConfig.Parse(json));

        Assert.Contains("image_mean", error.Message, StringComparison.Ordinal);
    }
}
