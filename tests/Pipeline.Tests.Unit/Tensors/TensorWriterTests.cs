using Pipeline.Imaging.Tensors;
using SkiaSharp;
using static Pipeline.Testing.DrawnPictures;

namespace Pipeline.Tests.Unit.Tensors;

public sealed class TensorWriterTests
{
    private const int Side = 224;
    private const int Plane = Side * Side;

    private static readonly Func<(float, float), (float, float), bool> Near =
        (a, b) => Math.Abs(a.Item1 - b.Item1) < 1e-3f && Math.Abs(a.Item2 - b.Item2) < 1e-3f;

    [Fact]
    public void SolidColourGivesNormalisedValuePerChannelPlane()
    {
        // A 300×200 solid: resized to 336×224 and centre-cropped, every value of plane c is (v/255 − mean)/std.
        using var image = Solid(300, 200, new SKColor(200, 100, 50));
        var config = PreprocessorConfig.Clip;
        var tensor = new float[config.TensorLength];

        TensorWriter.Write(image, config, tensor);

        float[] rgb = [200, 100, 50];
        for (var c = 0; c < 3; c++)
        {
            var expected = (rgb[c] / 255f - config.Mean[c]) / config.Std[c];
            var plane = tensor.AsSpan(c * Plane, Plane);
            foreach (var value in plane)
            {
                Assert.Equal(expected, value, 1e-4f);
            }
        }
    }

    [Fact]
    public void CentreCropKeepsLeftRedAndRightBlueInPlace()
    {
        // 448×224 needs no resize; the crop takes columns 112..335, so red fills its left half and blue its right.
        using var image = Halves(448, 224, new SKColor(255, 0, 0), new SKColor(0, 0, 255));
        var tensor = new float[PreprocessorConfig.Clip.TensorLength];

        TensorWriter.Write(image, PreprocessorConfig.Clip, tensor);

        var red = tensor.AsSpan(0, Plane);
        var blue = tensor.AsSpan(2 * Plane, Plane);
        foreach (var y in new[] { 0, 100, 223 })
        {
            foreach (var x in new[] { 0, 50, 100 })
            {
                Assert.True(red[y * Side + x] > 1.5f, $"R at ({x},{y}) = {red[y * Side + x]}");
                Assert.True(blue[y * Side + x] < -1f, $"B at ({x},{y}) = {blue[y * Side + x]}");
            }

            foreach (var x in new[] { 124, 180, 223 })
            {
                Assert.True(red[y * Side + x] < -1f, $"R at ({x},{y}) = {red[y * Side + x]}");
                Assert.True(blue[y * Side + x] > 1.5f, $"B at ({x},{y}) = {blue[y * Side + x]}");
            }
        }
    }

    [Fact]
    public void VitConfigSquashesWholeImageWithoutCropping()
    {
        // 640×160 with its left quarter red: squashed, columns 0..55 are red. A CLIP-style resize and centre crop
        // would keep only blue columns.
        var vit = PreprocessorConfig.Parse(
            """{"do_normalize":true,"do_resize":true,"image_mean":[0.5,0.5,0.5],"image_std":[0.5,0.5,0.5],"resample":2,"size":224}""");
        using var image = Split(640, 160, 160, new SKColor(255, 0, 0), new SKColor(0, 0, 255));
        var tensor = new float[vit.TensorLength];

        TensorWriter.Write(image, vit, tensor);

        // With mean and std 0.5, full intensity is 1 and none is −1.
        foreach (var y in new[] { 0, 112, 223 })
        {
            Assert.Equal((1f, -1f), (R(y, 10), B(y, 10)), Near);
            Assert.Equal((-1f, 1f), (R(y, 100), B(y, 100)), Near);
            Assert.Equal((-1f, 1f), (R(y, 223), B(y, 223)), Near);
        }

        float R(int y, int x) => tensor[y * Side + x];
        float B(int y, int x) => tensor[2 * Plane + y * Side + x];
    }

    [Fact]
    public void DestinationOfWrongLengthIsRefused()
    {
        using var image = Solid(10, 10, SKColors.Gray);

        Assert.Throws<ArgumentException>(() => TensorWriter.Write(image, PreprocessorConfig.Clip, new float[100]));
    }
}
