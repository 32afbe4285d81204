using Pipeline.Inference.Florence;

namespace Pipeline.Tests.Unit.Florence;

/// <summary>Florence-2's generated text read back as transformers.js' <c>post_process_generation</c> reads it.</summary>
public sealed class FlorenceAnswerTests
{
    [Fact]
    public void ALocationBinIsTheMiddleOfItsThousandthOfTheOriginalPicture()
    {
        var answer = FlorenceAnswer.Read(FlorenceTask.Objects, "</s><s>car<loc_53><loc_333><loc_933><loc_774></s>", 640, 480);

        var car = Assert.Single(answer.Boxes);
        Assert.Equal("car", car.Label);
        Assert.Equal([34.24f, 160.08f, 597.44f, 371.76f], [car.X1, car.Y1, car.X2, car.Y2], new FloatTolerance(0.005f));
    }

    [Fact]
    public void ABoxWithoutALabelRepeatsThePreviousOne()
    {
        var answer = FlorenceAnswer.Read(
            FlorenceTask.DenseRegionCaption, "<s>a wooden chair<loc_0><loc_0><loc_499><loc_499><loc_500><loc_500><loc_999><loc_999>고양이<loc_10><loc_10><loc_20><loc_20></s>", 1000, 1000);

        Assert.Equal(["a wooden chair", "a wooden chair", "고양이"], answer.Boxes.Select(b => b.Label));
        Assert.Equal((500.5f, 999.5f), (answer.Boxes[1].X1, answer.Boxes[1].X2));
    }

    [Fact]
    public void TextWithRegionsGivesEachLineItsQuadrilateral()
    {
        var answer = FlorenceAnswer.Read(
            FlorenceTask.OcrWithRegion,
            "</s><s>STOP<loc_100><loc_200><loc_300><loc_200><loc_300><loc_400><loc_100><loc_400>고슴도치 사진<loc_0><loc_0><loc_9><loc_0><loc_9><loc_9><loc_0><loc_9></s>",
            2000,
            1000);

        Assert.Equal(["STOP", "고슴도치 사진"], answer.Quads.Select(q => q.Text));
        Assert.Equal([(201f, 200.5f), (601f, 200.5f), (601f, 400.5f), (201f, 400.5f)], answer.Quads[0].Corners);
    }

    [Fact]
    public void ACaptionIsItsTextWithoutTheSequenceTokens()
    {
        var answer = FlorenceAnswer.Read(FlorenceTask.Caption, "</s><s>A green car parked in front of a yellow building.</s><pad><pad>", 640, 480);

        Assert.Equal("A green car parked in front of a yellow building.", answer.Text);
        Assert.Empty(answer.Boxes);
    }

    [Fact]
    public void EveryTaskIsFoundByItsToken() =>
        Assert.All(FlorenceTask.All, task => Assert.Same(task, FlorenceTask.Find(task.Token)));

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
