using Pipeline.Search;

namespace Pipeline.Tests.Integration.Search;

/// <summary>
/// The full-text half as people type (words alone, no embedder): a Korean request finds the picture whose text holds the
/// word with a particle attached; a phrase with common words finds a caption holding only the meaningful ones; a picture
/// sharing more of the query's words ranks above one sharing fewer; <c>-word</c> vetoes.
/// </summary>
public sealed class SearchLanguageTests(SearchDatabase database) : IClassFixture<SearchDatabase>
{
    [Fact]
    public async Task AKoreanRequestFindsTheWordWithItsParticleAndInsideALineOfText()
    {
        var owner = await StoreAsync();

        var page = await SearchAsync(owner, "고슴도치 사진을 찾아 줘.");

        // "고슴도치가" (with its particle) and "사진" in a sign's text; the other only holds the word inside an unspaced line.
        Assert.Equal([$"{owner}/hedgehog-sign", $"{owner}/hedgehog-line"], page.Hits.Take(2).Select(h => h.ImageId));
        Assert.DoesNotContain(page.Hits, h => h.ImageId == $"{owner}/cat");
        Assert.True(page.Hits[0].TextRank > page.Hits[1].TextRank);
    }

    [Theory]
    [InlineData("text on a page", "page")]
    [InlineData("photo of a hedgehog", "hedgehog-grass")]
    [InlineData("漢字 汉字", "chinese-sign")]
    public async Task CommonWordsDoNotVetoAMatch(string query, string expected)
    {
        var owner = await StoreAsync();

        var page = await SearchAsync(owner, query);

        Assert.Equal($"{owner}/{expected}", page.Hits[0].ImageId);
    }

    [Fact]
    public async Task SharingMoreWordsRanksHigherAndAMinusWordVetoes()
    {
        var owner = await StoreAsync();

        var both = await SearchAsync(owner, "hedgehog grass");
        var withoutGrass = await SearchAsync(owner, "hedgehog -grass");

        Assert.Equal($"{owner}/hedgehog-grass", both.Hits[0].ImageId);
        Assert.Contains(both.Hits, h => h.ImageId == $"{owner}/hedgehog-sign");
        Assert.True(both.Hits[0].TextRank > both.Hits.Single(h => h.ImageId == $"{owner}/hedgehog-sign").TextRank);
        Assert.DoesNotContain(withoutGrass.Hits, h => h.ImageId == $"{owner}/hedgehog-grass");
        Assert.Contains(withoutGrass.Hits, h => h.ImageId == $"{owner}/hedgehog-sign");
    }

    private Task<SearchPage> SearchAsync(string owner, string text) =>
        database.CreateSearch(withEmbedder: false).SearchAsync(new SearchQuery(owner, text, PageSize: 20), TestContext.Current.CancellationToken);

    private async Task<string> StoreAsync()
    {
        var owner = "hana-" + Guid.NewGuid().ToString("N")[..8];
        var vector = await database.EmbedAsync("a picture");
        await database.StoreAsync(
        [
            new($"{owner}/hedgehog-sign", owner, vector, Caption: "a sign by a path", OcrText: "고슴도치가 지나가요\n사진 금지\nHedgehog crossing 2024"),
            new($"{owner}/hedgehog-line", owner, vector, Caption: "a poster", OcrText: "야생고슴도치보호구역"),
            new($"{owner}/hedgehog-grass", owner, vector, Caption: "A hedgehog on the grass"),
            new($"{owner}/page", owner, vector, Caption: "a printed page of a textbook", OcrText: "The text of chapter one"),
            new($"{owner}/chinese-sign", owner, vector, Caption: "a shop sign", OcrText: "学习汉字的地方"),
            new($"{owner}/cat", owner, vector, Caption: "a cat on a couch"),
        ]);
        return owner;
    }
}
