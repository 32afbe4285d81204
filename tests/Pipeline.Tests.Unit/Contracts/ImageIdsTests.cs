using Pipeline.Contracts;

namespace Pipeline.Tests.Unit.Contracts;

/// <summary>One rule for owners and image ids on every path, any script allowed.</summary>
public sealed class ImageIdsTests
{
    [Theory]
    [InlineData("hana")]
    [InlineData("하나")]
    [InlineData("花子.ai")]
    [InlineData("team_7@example.org")]
    public void OwnersOfAnyScriptAreValid(string owner) => Assert.True(ImageIds.IsValidOwner(owner));

    [Theory]
    [InlineData("")]
    [InlineData("-hana")]
    [InlineData("ha na")]
    [InlineData("hana/kim")]
    [InlineData("hana\n")]
    public void OwnersWithSpacesSlashesControlsOrALeadingSignAreNot(string owner) => Assert.False(ImageIds.IsValidOwner(owner));

    [Fact]
    public void AnOwnerHasAtMost64Characters()
    {
        Assert.True(ImageIds.IsValidOwner(new string('가', 64)));
        Assert.False(ImageIds.IsValidOwner(new string('가', 65)));
    }

    [Theory]
    [InlineData("고슴도치.jpg")]
    [InlineData("2024/여름/바다 사진.heic")]
    [InlineData("café (1).png")]
    [InlineData("IMG_0001.JPG")]
    public void ImageIdsOfAnyScriptWithFoldersAndSpacesAreValid(string id) => Assert.True(ImageIds.IsValidImageId(id));

    [Theory]
    [InlineData("")]
    [InlineData("/cat.png")]
    [InlineData("cats//cat.png")]
    [InlineData("cats/")]
    [InlineData("cat?.png")]
    [InlineData("cat#1.png")]
    [InlineData("100%.png")]
    [InlineData("cat.png ")]
    [InlineData("cat\t.png")]
    public void ImageIdsThatBreakAUrlOrAPathAreNot(string id) => Assert.False(ImageIds.IsValidImageId(id));

    [Fact]
    public void AnImageIdHasAtMost128CharactersAndItsRowFitsTheColumn()
    {
        Assert.True(ImageIds.IsValidImageId(new string('a', 128)));
        Assert.False(ImageIds.IsValidImageId(new string('a', 129)));
        Assert.True(ImageIds.RowId(new string('o', ImageIds.MaxOwnerLength), new string('a', ImageIds.MaxImageIdLength)).Length <= ImageUploaded.MaxIdLength);
    }

    [Fact]
    public void AnIdTypedDecomposedFindsTheSameRowAsOneTypedComposed()
    {
        // As macOS writes the name: each syllable as its jamo.
        const string decomposed = "\u1100\u1169\u1109\u1173\u11B7\u1103\u1169\u110E\u1175.jpg";

        Assert.NotEqual("고슴도치.jpg", decomposed);
        Assert.Equal(["hana/고슴도치.jpg", "고슴도치.jpg"], ImageIds.RowCandidates("hana", decomposed));
    }

    [Fact]
    public void ShownIdsDropTheOwnersPrefixAndKeepAnotherProducersIdWhole()
    {
        Assert.Equal("2024/cat.png", ImageIds.ShownId("hana", "hana/2024/cat.png"));
        Assert.Equal("blob:uploads/cat.png", ImageIds.ShownId("hana", "blob:uploads/cat.png"));
        Assert.Equal(["hana/cat.png"], ImageIds.RowCandidates("hana", "hana/cat.png"));
    }
}
