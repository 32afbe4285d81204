using Pipeline.Inference.Captioning;

namespace Pipeline.Tests.Unit.Captioning;

public sealed class AltTextTests
{
    [Theory]
    [InlineData("a cat laying on a couch with another cat", "A cat laying on a couch with another cat.")]
    [InlineData("an image of a dog running on the beach", "A dog running on the beach.")]
    [InlineData("  this picture shows   two people   talking ", "Two people talking.")]
    [InlineData("A photograph of a red bus.", "A red bus.")]
    [InlineData("a photo booth in a shopping mall", "A photo booth in a shopping mall.")]
    [InlineData("is it raining?", "Is it raining?")]
    public void CaptionBecomesOneCleanSentence(string caption, string expected) =>
        Assert.Equal(expected, AltText.FromCaption(caption));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void NothingToSayGivesNoAltText(string? caption) => Assert.Null(AltText.FromCaption(caption));
}
