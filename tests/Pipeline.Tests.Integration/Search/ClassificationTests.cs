using Pipeline.Search;
using static Pipeline.Tests.Integration.Search.SearchCorpus;

namespace Pipeline.Tests.Integration.Search;

/// <summary>Zero-shot labels from CLIP similarities: carol's pictures lie near the prompt "a photo of a {label}." of their label.</summary>
public sealed class ClassificationTests(SearchCorpus corpus) : IClassFixture<SearchCorpus>
{
    [Fact]
    public async Task EachPictureGetsTheLabelItWasBuiltNearWithProbabilitiesThatSumToOne()
    {
        var search = corpus.Database.CreateSearch();

        var page = await search.ClassifyAsync(new ClassifyQuery(Carol, Labels), TestContext.Current.CancellationToken);

        Assert.Equal(Labels.Count, page.Items.Count);
        Assert.False(page.HasMore);
        Assert.Equal(corpus.Database.ModelId, page.EmbeddingModelId);
        foreach (var item in page.Items)
        {
            Assert.Equal(Labelled(item.Label), item.ImageId);
            Assert.Equal(Labels, item.Scores.Keys);
            Assert.Equal(1.0, item.Scores.Values.Sum(), precision: 9);
            Assert.Equal(item.Scores.Values.Max(), item.Probability);
            Assert.Equal(item.Probability, item.Scores[item.Label]);
            Assert.Equal($"Carol's {item.Label}.", item.AltText);
        }
    }

    [Fact]
    public async Task ProbabilitiesAreTheSoftmaxOfCosineTimesTheLogitScale()
    {
        var search = corpus.Database.CreateSearch();
        var prompts = await corpus.Database.EmbedAsync(Labels.Select(l => $"a photo of a {l}.").ToList());
        var picture = Vectors.Near(prompts[0], 0.9, seed: 400);

        var page = await search.ClassifyAsync(new ClassifyQuery(Carol, Labels, [Labelled(Labels[0])]), TestContext.Current.CancellationToken);

        var logits = prompts.Select(p => 100 * Vectors.Dot(picture, p)).ToList();
        var expected = logits.Select(l => Math.Exp(l - logits.Max())).ToList();
        var item = Assert.Single(page.Items);
        for (var l = 0; l < Labels.Count; l++)
        {
            Assert.Equal(expected[l] / expected.Sum(), item.Scores[Labels[l]], precision: 4);
        }
    }

    [Fact]
    public async Task ListedPicturesComeBackInTheOrderAskedAndPagesFollowOneAnother()
    {
        var search = corpus.Database.CreateSearch();
        var cancellationToken = TestContext.Current.CancellationToken;

        var listed = await search.ClassifyAsync(new ClassifyQuery(Carol, Labels, [Labelled("ramen"), Labelled("hedgehog")]), cancellationToken);
        Assert.Equal([(Labelled("ramen"), "ramen"), (Labelled("hedgehog"), "hedgehog")], listed.Items.Select(i => (i.ImageId, i.Label)));

        var first = await search.ClassifyAsync(new ClassifyQuery(Carol, Labels, PageSize: 2), cancellationToken);
        var second = await search.ClassifyAsync(new ClassifyQuery(Carol, Labels, Page: 2, PageSize: 2), cancellationToken);
        Assert.Equal((2, true, 1, false), (first.Items.Count, first.HasMore, second.Items.Count, second.HasMore));
        Assert.Equal(Labels.Select(Labelled).Order(StringComparer.Ordinal), first.Items.Concat(second.Items).Select(i => i.ImageId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task APromptTemplateOfOneWordPerLabelStillPicksTheConstructedLabel()
    {
        var search = corpus.Database.CreateSearch(overrides: new Dictionary<string, string?> { ["Search:PromptTemplate"] = "{label}" });
        var labels = await corpus.Database.EmbedAsync(Labels);
        await corpus.Database.StoreAsync(Labels.Select((label, l) => new StoredPicture($"erin/{label}", "erin", Vectors.Near(labels[l], 0.9, seed: 500 + l))));

        var page = await search.ClassifyAsync(new ClassifyQuery("erin", Labels), TestContext.Current.CancellationToken);

        Assert.Equal(Labels.Count, page.Items.Count);
        Assert.All(page.Items, item => Assert.Equal($"erin/{item.Label}", item.ImageId));
    }

    [Fact]
    public async Task WithoutAnImageEmbedderThereIsNothingToClassify()
    {
        var search = corpus.Database.CreateSearch(withEmbedder: false);

        var page = await search.ClassifyAsync(new ClassifyQuery(Carol, Labels), TestContext.Current.CancellationToken);

        Assert.Empty(page.Items);
        Assert.Null(page.EmbeddingModelId);
    }
}
