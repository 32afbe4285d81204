using Pipeline.Inference.Composition;

namespace Pipeline.Tests.Unit.Composition;

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

    [Fact]
    public void TextInThePictureFollowsTheCaptionQuotedLineByLine() =>
        Assert.Equal(
            "A street sign on a pole. Text: \"STOP\", \"ALL WAY\".",
            AltText.Compose("a street sign on a pole", ["STOP", "  ALL   WAY "]));

    [Fact]
    public void WithoutACaptionTheTextStandsAlone() =>
        Assert.Equal("Text: \"EXIT 12\".", AltText.Compose(null, ["EXIT 12"]));

    [Fact]
    public void NoTextMeansNoTextPart() =>
        Assert.Equal("A cat on a sofa.", AltText.Compose("a cat on a sofa", ["", "  "]));

    [Fact]
    public void LongTextIsCutAtWholeLinesWithinTheLimit()
    {
        var lines = Enumerable.Range(1, 60).Select(i => $"Line number {i} of the scanned page").ToList();

        var altText = AltText.Compose("a page of text", lines)!;

        Assert.True(altText.Length <= AltText.MaxLength, $"{altText.Length} characters");
        Assert.StartsWith("A page of text. Text: \"Line number 1 of the scanned page\", \"Line number 2", altText, StringComparison.Ordinal);
        Assert.EndsWith(", ….", altText, StringComparison.Ordinal);
    }

    [Fact]
    public void ASingleHugeLineIsShortenedRatherThanDropped()
    {
        var altText = AltText.Compose(null, [new string('x', 1000)])!;

        Assert.True(altText.Length <= AltText.MaxLength, $"{altText.Length} characters");
        Assert.StartsWith("Text: \"xxx", altText, StringComparison.Ordinal);
        Assert.EndsWith("…\".", altText, StringComparison.Ordinal);
    }
}
