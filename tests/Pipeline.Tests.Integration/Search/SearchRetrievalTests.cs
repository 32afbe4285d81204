using Pipeline.Search;
using static Pipeline.Tests.Integration.Search.SearchCorpus;

namespace Pipeline.Tests.Integration.Search;

/// <summary>Text queries embedded by the stand-in CLIP find the pictures built near them, ranked, paged and cut at a minimum score.</summary>
public sealed class SearchRetrievalTests(SearchCorpus corpus) : IClassFixture<SearchCorpus>
{
    [Fact]
    public async Task EachQueryFindsThePictureBuiltNearestToItFirstThenTheOtherOneBuiltNearIt()
    {
        var search = corpus.Database.CreateSearch();
        foreach (var (slug, text) in Queries)
        {
            var page = await search.SearchAsync(new SearchQuery(Alice, text, PageSize: 10), TestContext.Current.CancellationToken);

            Assert.Equal([Best(Alice, slug), Near(Alice, slug)], page.Hits.Take(2).Select(h => h.ImageId));
            Assert.Equal(0.9, page.Hits[0].Similarity!.Value, precision: 3);
            Assert.Equal(0.8, page.Hits[1].Similarity!.Value, precision: 3);
            Assert.All(page.Hits, hit => Assert.Equal(hit.Similarity!.Value, hit.Score, precision: 9));
            Assert.All(page.Hits, hit => Assert.Null(hit.TextRank));
            Assert.Equal(page.Hits.Select(h => h.Score).OrderDescending(), page.Hits.Select(h => h.Score));
            Assert.Equal(corpus.Database.ModelId, page.EmbeddingModelId);
            Assert.Equal(10, page.Hits.Count);
            Assert.True(page.HasMore);
        }
    }

    [Fact]
    public async Task PagesReadOneAfterAnotherEqualOneLongPageAndEndWithoutMore()
    {
        var search = corpus.Database.CreateSearch();
        var cancellationToken = TestContext.Current.CancellationToken;
        var all = await search.SearchAsync(new SearchQuery(Alice, Queries[1].Text, PageSize: 100), cancellationToken);
        Assert.Equal(AliceDescribedWithVectors, all.Hits.Count);
        Assert.False(all.HasMore);

        var paged = new List<string>();
        var pages = 0;
        SearchPage page;
        do
        {
            page = await search.SearchAsync(new SearchQuery(Alice, Queries[1].Text, Page: ++pages, PageSize: 5), cancellationToken);
            Assert.Equal(pages, page.Page);
            Assert.Equal(page.HasMore ? 5 : AliceDescribedWithVectors - paged.Count, page.Hits.Count);
            paged.AddRange(page.Hits.Select(h => h.ImageId));
        }
        while (page.HasMore);

        Assert.Equal(all.Hits.Select(h => h.ImageId), paged);
        Assert.Equal((AliceDescribedWithVectors + 4) / 5, pages);
        var beyond = await search.SearchAsync(new SearchQuery(Alice, Queries[1].Text, Page: pages + 1, PageSize: 5), cancellationToken);
        Assert.Empty(beyond.Hits);
        Assert.False(beyond.HasMore);
    }

    [Fact]
    public async Task MinScoreLeavesOutEveryHitBelowIt()
    {
        var search = corpus.Database.CreateSearch();
        foreach (var (slug, text) in Queries)
        {
            var both = await search.SearchAsync(new SearchQuery(Alice, text, MinScore: 0.75), TestContext.Current.CancellationToken);
            Assert.Equal([Best(Alice, slug), Near(Alice, slug)], both.Hits.Select(h => h.ImageId));
            Assert.False(both.HasMore);

            var one = await search.SearchAsync(new SearchQuery(Alice, text, MinScore: 0.85), TestContext.Current.CancellationToken);
            Assert.Equal([Best(Alice, slug)], one.Hits.Select(h => h.ImageId));
        }
    }

    [Fact]
    public async Task APageLargerThanMaxPageSizeIsCutToIt()
    {
        var search = corpus.Database.CreateSearch(overrides: new Dictionary<string, string?> { ["Search:MaxPageSize"] = "7" });

        var page = await search.SearchAsync(new SearchQuery(Alice, Queries[0].Text, PageSize: 50), TestContext.Current.CancellationToken);

        Assert.Equal(7, page.PageSize);
        Assert.Equal(7, page.Hits.Count);
        Assert.True(page.HasMore);
    }

    [Fact]
    public async Task SimilarFindsThePictureBuiltNearTheSameQueryFirstAndNeverThePictureItself()
    {
        var search = corpus.Database.CreateSearch();
        foreach (var (slug, _) in Queries)
        {
            var page = await search.SimilarAsync(new SimilarQuery(Alice, Best(Alice, slug), PageSize: 100), TestContext.Current.CancellationToken);

            Assert.NotNull(page);
            Assert.Equal(Near(Alice, slug), page.Hits[0].ImageId);
            Assert.DoesNotContain(page.Hits, h => h.ImageId == Best(Alice, slug));
            Assert.Equal(AliceDescribedWithVectors - 1, page.Hits.Count);
            Assert.Equal(page.Hits.Select(h => h.Score).OrderDescending(), page.Hits.Select(h => h.Score));
            Assert.All(page.Hits, hit => Assert.Equal(hit.Similarity!.Value, hit.Score, precision: 9));
        }
    }

    [Fact]
    public async Task SimilarOfAnUnknownPictureIsNull()
    {
        var search = corpus.Database.CreateSearch();

        Assert.Null(await search.SimilarAsync(new SimilarQuery(Alice, "alice/no-such-picture"), TestContext.Current.CancellationToken));
        Assert.Null(await search.SimilarAsync(new SimilarQuery(Alice, FailedOnFirstQuery), TestContext.Current.CancellationToken));
    }
}
