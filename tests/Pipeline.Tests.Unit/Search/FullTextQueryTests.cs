using Pipeline.Search.Querying;

namespace Pipeline.Tests.Unit.Search;

/// <summary>Queries as people type them, in the terms the full-text half runs.</summary>
public sealed class FullTextQueryTests
{
    [Fact]
    public void AKoreanSentenceAsksForItsWordsAndTheirCharacterPairsAnyOfWhichMatches()
    {
        var query = FullTextQuery.Parse("고슴도치 사진을 찾아 줘.");

        Assert.Equal("고슴도치 or 사진을 or 찾아 or 줘. or 고슴 or 슴도 or 도치 or 사진 or 진을", query.Wanted);
        Assert.Equal("고슴도치 사진을 찾아 줘.", query.Together);
        Assert.Equal("", query.Excluded);
    }

    [Theory]
    [InlineData("text on a page", "text or page")]
    [InlineData("photo of a hedgehog", "hedgehog")]
    [InlineData("the", "")]
    [InlineData("find me a photo", "")]
    [InlineData("hedgehog \"on the grass\"", "\"on the grass\" or hedgehog")]
    [InlineData("cat or dog", "cat or dog")]
    public void CommonWordsNeverCountAndPhrasesStayPhrases(string typed, string wanted) =>
        Assert.Equal(wanted, FullTextQuery.Parse(typed).Wanted);

    [Fact]
    public void AMinusWordVetoesAndAKoreanOneVetoesItsCharacterPairsInARow()
    {
        var query = FullTextQuery.Parse("hedgehog -grass -고양이");

        Assert.Equal("hedgehog", query.Wanted);
        Assert.Equal("grass or \"고양 양이\"", query.Excluded);
    }

    [Fact]
    public void CharacterPairsAreTakenWithinRunsOfChineseJapaneseOrKoreanScriptOnly()
    {
        Assert.Equal(["汉字", "字测", "测试"], FullTextQuery.CjkBigrams("汉字测试"));
        Assert.Equal(["ひら", "らが", "がな"], FullTextQuery.CjkBigrams("ひらがな abc"));
        Assert.Equal(["사진"], FullTextQuery.CjkBigrams("사진 2024 a사"));
        Assert.Empty(FullTextQuery.CjkBigrams("hedgehog photo 2024"));
    }
}
