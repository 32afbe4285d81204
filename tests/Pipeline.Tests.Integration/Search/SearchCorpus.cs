using Pipeline.Storage.Entities;
using Pipeline.Tests.Integration.Infrastructure;

namespace Pipeline.Tests.Integration.Search;

/// <summary>
/// Pictures whose vectors are built from the stand-in CLIP's own text embeddings, so the right answer of each query
/// is known: for every query, alice has a picture at cosine 0.9 to it ("best") and one at 0.8 ("near"); bob has a copy
/// of every "best" picture, vector and words identical; alice also has random distractors, a failed row and a vector
/// of another model, both lying exactly on the first query. Carol's pictures lie near the zero-shot prompts of
/// <see cref="Labels"/>. No picture has words: the vector half alone decides these rankings.
/// </summary>
public sealed class SearchCorpus(PipelineServices services) : IAsyncLifetime
{
    public const string Alice = "alice";
    public const string Bob = "bob";
    public const string Carol = "carol";
    public const int DistractorCount = 24;

    public static readonly IReadOnlyList<(string Slug, string Text)> Queries =
    [
        ("hedgehog", "a hedgehog in the grass"),
        ("bicycle", "a red bicycle against a wall"),
        ("ramen", "a bowl of ramen"),
        ("mountains", "snowy mountains at dawn"),
    ];

    public static readonly IReadOnlyList<string> Labels = ["hedgehog", "bicycle", "ramen"];

    public SearchDatabase Database { get; } = new(services);

    /// <summary>Every described picture alice can find by vector: two per query and the distractors.</summary>
    public static int AliceDescribedWithVectors => (Queries.Count * 2) + DistractorCount;

    public static string Best(string owner, string slug) => $"{owner}/{slug}-best";

    public static string Near(string owner, string slug) => $"{owner}/{slug}-near";

    public static string Labelled(string label) => $"{Carol}/{label}";

    public const string FailedOnFirstQuery = "alice/failed-hedgehog";
    public const string OtherModelOnFirstQuery = "alice/other-model-hedgehog";

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        var queryVectors = await Database.EmbedAsync(Queries.Select(q => q.Text).ToList());
        var pictures = new List<StoredPicture>();
        for (var q = 0; q < Queries.Count; q++)
        {
            var (slug, text) = Queries[q];
            var best = Vectors.Near(queryVectors[q], 0.9, seed: 100 + q);
            pictures.Add(new StoredPicture(Best(Alice, slug), Alice, best, AltText: $"Alice's {slug}, close to \"{text}\"."));
            pictures.Add(new StoredPicture(Near(Alice, slug), Alice, Vectors.Near(queryVectors[q], 0.8, seed: 200 + q), AltText: $"Alice's other {slug}."));
            pictures.Add(new StoredPicture(Best(Bob, slug), Bob, best, AltText: $"Alice's {slug}, close to \"{text}\"."));
        }

        for (var d = 0; d < DistractorCount; d++)
        {
            pictures.Add(new StoredPicture($"{Alice}/distractor-{d:D2}", Alice, Vectors.Random(queryVectors[0].Length, seed: 300 + d), AltText: $"Distractor {d}."));
        }

        pictures.Add(new StoredPicture(FailedOnFirstQuery, Alice, queryVectors[0], Status: ImageStatus.Failed));
        pictures.Add(new StoredPicture(OtherModelOnFirstQuery, Alice, queryVectors[0], ModelId: "another-clip"));

        var prompts = await Database.EmbedAsync(Labels.Select(label => $"a photo of a {label}.").ToList());
        for (var l = 0; l < Labels.Count; l++)
        {
            pictures.Add(new StoredPicture(Labelled(Labels[l]), Carol, Vectors.Near(prompts[l], 0.9, seed: 400 + l), AltText: $"Carol's {Labels[l]}."));
        }

        await Database.StoreAsync(pictures);
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
