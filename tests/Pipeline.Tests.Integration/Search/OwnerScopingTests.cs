using Pipeline.Search;
using static Pipeline.Tests.Integration.Search.SearchCorpus;

namespace Pipeline.Tests.Integration.Search;

/// <summary>
/// Bob's copies of alice's pictures are identical in vector and words, so any leak would rank them first: they must
/// never reach alice (and alice's never reach bob) through search, similar or classify. Failed rows and vectors of
/// another model lie exactly on a query and must never come back either.
/// </summary>
public sealed class OwnerScopingTests(SearchCorpus corpus) : IClassFixture<SearchCorpus>
{
    [Fact]
    public async Task SearchReturnsOnlyTheAskingOwnersDescribedPicturesOfTheSearchModel()
    {
        var search = corpus.Database.CreateSearch();
        foreach (var (slug, text) in Queries)
        {
            var alice = await search.SearchAsync(new SearchQuery(Alice, text, PageSize: 100), TestContext.Current.CancellationToken);
            Assert.Equal(AliceDescribedWithVectors, alice.Hits.Count);
            Assert.All(alice.Hits, hit => Assert.StartsWith(Alice + "/", hit.ImageId, StringComparison.Ordinal));
            Assert.DoesNotContain(alice.Hits, hit => hit.ImageId is FailedOnFirstQuery or OtherModelOnFirstQuery);

            var bob = await search.SearchAsync(new SearchQuery(Bob, text, PageSize: 100), TestContext.Current.CancellationToken);
            Assert.Equal(Queries.Select(q => Best(Bob, q.Slug)).Order(StringComparer.Ordinal), bob.Hits.Select(h => h.ImageId).Order(StringComparer.Ordinal));
            Assert.Equal(Best(Bob, slug), bob.Hits[0].ImageId);
        }
    }

    [Fact]
    public async Task SimilarNeverCrossesOwners()
    {
        var search = corpus.Database.CreateSearch();
        var cancellationToken = TestContext.Current.CancellationToken;

        var alice = await search.SimilarAsync(new SimilarQuery(Alice, Best(Alice, "hedgehog"), PageSize: 100), cancellationToken);
        Assert.NotNull(alice);
        Assert.All(alice.Hits, hit => Assert.StartsWith(Alice + "/", hit.ImageId, StringComparison.Ordinal));

        var bob = await search.SimilarAsync(new SimilarQuery(Bob, Best(Bob, "hedgehog"), PageSize: 100), cancellationToken);
        Assert.NotNull(bob);
        Assert.Equal(Queries.Count - 1, bob.Hits.Count);
        Assert.All(bob.Hits, hit => Assert.StartsWith(Bob + "/", hit.ImageId, StringComparison.Ordinal));

        Assert.Null(await search.SimilarAsync(new SimilarQuery(Alice, Best(Bob, "hedgehog")), cancellationToken));
    }

    [Fact]
    public async Task ClassifyNeverReadsAnotherOwnersPictures()
    {
        var search = corpus.Database.CreateSearch();
        var cancellationToken = TestContext.Current.CancellationToken;

        var all = await search.ClassifyAsync(new ClassifyQuery(Alice, Labels, PageSize: 100), cancellationToken);
        Assert.Equal(AliceDescribedWithVectors, all.Items.Count);
        Assert.All(all.Items, item => Assert.StartsWith(Alice + "/", item.ImageId, StringComparison.Ordinal));

        var named = await search.ClassifyAsync(
            new ClassifyQuery(Alice, Labels, [Best(Bob, "hedgehog"), Labelled("hedgehog"), Best(Alice, "ramen")]), cancellationToken);
        Assert.Equal([Best(Alice, "ramen")], named.Items.Select(i => i.ImageId));
    }
}
