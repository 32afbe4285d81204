using Pipeline.Search;

namespace Pipeline.Tests.Integration.Search;

/// <summary>
/// The full-text half: a sign whose vector has nothing to do with the query (cosine 0) is found first by the words it
/// shows, ahead of pictures that only look like the query; with no embedder configured, words alone still find it.
/// </summary>
public sealed class HybridSearchTests(SearchDatabase database) : IClassFixture<SearchDatabase>
{
    private const string Query = "springfield library";

    [Fact]
    public async Task APictureLinkedToTheQueryOnlyByItsOcrTextComesFirst()
    {
        var owner = await StoreSignAndLookAlikesAsync();
        var search = database.CreateSearch();

        var page = await search.SearchAsync(new SearchQuery(owner, Query, PageSize: 100), TestContext.Current.CancellationToken);

        var sign = page.Hits[0];
        Assert.Equal($"{owner}/sign", sign.ImageId);
        Assert.Equal(0.0, sign.Similarity!.Value, precision: 3);
        // Both words (2 / 3) and both next to each other (0.5), averaged.
        Assert.Equal((2.0 / 3 + 0.5) / 2, sign.TextRank!.Value, precision: 6);
        Assert.Equal((2.0 / 3 + 0.5) / 2, sign.Score, precision: 3);
        Assert.Equal("SPRINGFIELD\nLIBRARY", sign.OcrText);

        // By the vector alone the sign would come after every look-alike.
        var lookAlikes = page.Hits.Where(h => h.ImageId.Contains("/look-alike-", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, lookAlikes.Count);
        Assert.All(lookAlikes, hit => Assert.True(hit.Similarity > sign.Similarity + 0.25, $"{hit.ImageId}: {hit.Similarity}"));
        Assert.All(lookAlikes, hit => Assert.Null(hit.TextRank));

        // Both words, far apart in a caption: a match, ranked below the sign's words standing together.
        var street = Assert.Single(page.Hits, h => h.ImageId == $"{owner}/street");
        Assert.InRange(street.TextRank!.Value, 0.01, sign.TextRank.Value - 0.1);
        Assert.Equal(page.Hits.Select(h => h.Score).OrderDescending(), page.Hits.Select(h => h.Score));
        Assert.Equal(2, page.Hits.Count(h => h.TextRank is not null));
    }

    [Fact]
    public async Task WithoutAnImageEmbedderTheWordsAloneFindTheSignAndTheCaption()
    {
        var owner = await StoreSignAndLookAlikesAsync();
        var search = database.CreateSearch(withEmbedder: false);

        var page = await search.SearchAsync(new SearchQuery(owner, Query), TestContext.Current.CancellationToken);

        Assert.Equal([$"{owner}/sign", $"{owner}/street"], page.Hits.Select(h => h.ImageId));
        Assert.All(page.Hits, hit => Assert.Null(hit.Similarity));
        Assert.All(page.Hits, hit => Assert.Equal(hit.TextRank!.Value, hit.Score, precision: 9));
        Assert.Null(page.EmbeddingModelId);
        Assert.False(page.HasMore);
    }

    [Fact]
    public async Task TheTextWeightDecidesHowMuchWordsCount()
    {
        var owner = await StoreSignAndLookAlikesAsync();
        var vectorsOnly = database.CreateSearch(overrides: new Dictionary<string, string?> { ["Search:TextWeight"] = "0" });

        var page = await vectorsOnly.SearchAsync(new SearchQuery(owner, Query, PageSize: 6), TestContext.Current.CancellationToken);

        Assert.All(page.Hits, hit => Assert.Contains("/look-alike-", hit.ImageId, StringComparison.Ordinal));
    }

    /// <summary>A sign reading SPRINGFIELD LIBRARY and a caption naming both words, both at cosine 0 to the query; six look-alikes at 0.3; distractors.</summary>
    private async Task<string> StoreSignAndLookAlikesAsync()
    {
        var owner = "dora-" + Guid.NewGuid().ToString("N")[..8];
        var query = await database.EmbedAsync(Query);
        var pictures = new List<StoredPicture>
        {
            new($"{owner}/sign", owner, Vectors.Orthogonal(query, seed: 1), AltText: "Text: \"SPRINGFIELD\", \"LIBRARY\".", OcrText: "SPRINGFIELD\nLIBRARY"),
            new($"{owner}/street", owner, Vectors.Orthogonal(query, seed: 2), Caption: "a springfield street sign near the old town library"),
        };
        pictures.AddRange(Enumerable.Range(0, 6).Select(i => new StoredPicture($"{owner}/look-alike-{i}", owner, Vectors.Near(query, 0.3, seed: 10 + i), Caption: "a building with tall windows")));
        pictures.AddRange(Enumerable.Range(0, 20).Select(i => new StoredPicture($"{owner}/distractor-{i:D2}", owner, Vectors.Random(query.Length, seed: 30 + i), Caption: "a cat on a couch")));
        await database.StoreAsync(pictures);
        return owner;
    }
}
