using Microsoft.ML.OnnxRuntime.Tensors;
using Pipeline.StandInModels.Onnx;

namespace Pipeline.StandInModels.Tests;

public sealed class ClipVisionModelTests(ClipVisionFixture fixture) : IClassFixture<ClipVisionFixture>
{
    private const int Dim = ClipVisionStandIn.ProjectionDim;

    [Fact]
    public void InputMetadataMatchesXenovaExport()
    {
        var input = Assert.Single(fixture.Session.InputMetadata);
        Assert.Equal("pixel_values", input.Key);
        Assert.Equal(TensorElementType.Float, input.Value.ElementDataType);
        Assert.Equal([-1, 3, 224, 224], input.Value.Dimensions);
        Assert.Equal("batch_size", input.Value.SymbolicDimensions[0]);
    }

    [Fact]
    public void OutputMetadataMatchesXenovaExport()
    {
        var output = Assert.Single(fixture.Session.OutputMetadata);
        Assert.Equal("image_embeds", output.Key);
        Assert.Equal(TensorElementType.Float, output.Value.ElementDataType);
        Assert.Equal([-1, 512], output.Value.Dimensions);
        Assert.Equal("batch_size", output.Value.SymbolicDimensions[0]);
    }

    [Fact]
    public void BatchOfThreeImagesGivesFiniteDistinctRows()
    {
        var (values, shape) = fixture.Embed(Images.Batch(Images.Noise(1), Images.Noise(2), Images.Noise(3)));

        Assert.Equal([3L, Dim], shape);
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
        for (var i = 0; i < 3; i++)
        {
            for (var j = i + 1; j < 3; j++)
            {
                var a = values.AsSpan(i * Dim, Dim);
                var b = values.AsSpan(j * Dim, Dim);
                Assert.True(Vectors.MaxAbsDiff(a, b) > 0.05, $"rows {i} and {j} are nearly equal");
                Assert.True(Vectors.Cosine(a, b) < 0.99, $"rows {i} and {j}: cosine {Vectors.Cosine(a, b)}");
            }
        }
    }

    [Fact]
    public void DifferentColoursGiveClearlyDifferentEmbeddings()
    {
        var (values, _) = fixture.Embed(Images.Batch(Images.Solid(0.9f, 0.1f, 0.1f), Images.Solid(0.1f, 0.2f, 0.9f)));

        var cosine = Vectors.Cosine(values.AsSpan(0, Dim), values.AsSpan(Dim, Dim));
        Assert.True(cosine < 0.9, $"red and blue images: cosine {cosine}");
    }

    [Fact]
    public void RowDoesNotDependOnBatchNeighbours()
    {
        var image = Images.Noise(42);
        var (alone, _) = fixture.Embed(image);
        var (batched, _) = fixture.Embed(Images.Batch(Images.Noise(5), image, Images.Solid(0.5f, 0.5f, 0.5f)));

        Assert.True(Vectors.MaxAbsDiff(alone, batched.AsSpan(Dim, Dim)) <= 1e-4);
    }

    [Fact]
    public void EmbeddingsAreProjectedButNotNormalised()
    {
        var (values, _) = fixture.Embed(Images.Noise(9));

        Assert.True(Math.Abs(Vectors.Norm(values) - 1) > 0.1, "image_embeds must not be L2-normalised, as in the Xenova export");
    }

    [Fact]
    public void OnnxMetadataMarksTheStandIn()
    {
        var metadata = fixture.Session.ModelMetadata;

        Assert.Equal(StandInMarker.GeneratorName, metadata.ProducerName);
        Assert.Equal("true", metadata.CustomMetadataMap["stand_in"]);
        Assert.Equal(ClipVisionFixture.Options.ModelId, metadata.CustomMetadataMap["stand_in.model_id"]);
    }

    [Fact]
    public void ModelTargetsIrVersion8AndOpset17()
    {
        var model = OnnxFile.Read(fixture.Paths[0]);

        Assert.Equal(8, model.IrVersion);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);
    }
}
