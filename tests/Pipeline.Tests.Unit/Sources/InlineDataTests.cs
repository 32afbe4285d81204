using Pipeline.Contracts;
using Pipeline.Sources;

namespace Pipeline.Tests.Unit.Sources;

/// <summary>Inline image data that is not standard base64 fails its image with a message saying what is wrong.</summary>
public sealed class InlineDataTests
{
    [Theory]
    [InlineData("AQID+g==", new byte[] { 1, 2, 3, 250 })]
    [InlineData("AQID\n+g==", new byte[] { 1, 2, 3, 250 })]
    [InlineData("", new byte[0])]
    public void StandardBase64Decodes(string base64, byte[] bytes) => Assert.Equal(bytes, InlineData.Decode(base64));

    [Theory]
    [InlineData("this is not base64 at all!", "character '!' at position 25 is not a base64 character.")]
    [InlineData("AQID+g=", "its length (7 characters without whitespace) is not a multiple of 4: '=' padding is missing or extra.")]
    [InlineData("AQID-g__", "it uses the base64url alphabet ('-' and '_'); send standard base64 ('+' and '/', padded with '=').")]
    [InlineData("AQ==ID+g", "'=' padding stands before the end of the data.")]
    public void DataThatIsNotBase64FailsWithInvalidInlineDataSayingWhy(string base64, string why)
    {
        var error = Assert.Throws<ImageRejectedException>(() => InlineData.Decode(base64));

        Assert.Equal(FailureReasons.InvalidInlineData, error.Reason);
        Assert.Equal("The inline data is not valid base64: " + why, error.Message);
    }
}
