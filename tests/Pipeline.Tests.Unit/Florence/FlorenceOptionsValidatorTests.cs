using Pipeline.Inference.Florence;

namespace Pipeline.Tests.Unit.Florence;

/// <summary>Each task setting takes only Florence-2 tasks that answer what the setting stores.</summary>
public sealed class FlorenceOptionsValidatorTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.True(new FlorenceOptionsValidator().Validate(null, new FlorenceOptions()).Succeeded);

    [Theory]
    [InlineData("<OD>", "<MORE_DETAILED_CAPTION>", "<OD>", "Models:Florence:AltTextTask is '<OD>'; expected one of <CAPTION>, <DETAILED_CAPTION>, <MORE_DETAILED_CAPTION>, <OCR>.")]
    [InlineData("<CAPTION>", "<CAPTIONS>", "", "Models:Florence:LongDescriptionTask is '<CAPTIONS>'")]
    [InlineData("<CAPTION>", "", "<CAPTION>", "Models:Florence:ObjectsTask is '<CAPTION>'; expected one of <OD>, <DENSE_REGION_CAPTION>.")]
    [InlineData("", "", "", "Models:Florence:AltTextTask is required.")]
    public void ATaskThatCannotFillItsSettingIsRefusedByName(string altText, string longDescription, string objects, string says)
    {
        var result = new FlorenceOptionsValidator().Validate(null, new FlorenceOptions
        {
            AltTextTask = altText,
            LongDescriptionTask = longDescription,
            ObjectsTask = objects,
        });

        Assert.True(result.Failed);
        Assert.StartsWith(says, Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyLongDescriptionAndObjectsTasksMeanNone() =>
        Assert.True(new FlorenceOptionsValidator().Validate(null, new FlorenceOptions { LongDescriptionTask = "", ObjectsTask = "" }).Succeeded);
}
