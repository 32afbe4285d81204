using Microsoft.Extensions.Options;
using Pipeline.Cli.Commands.Search;
using Pipeline.Inference.Embeddings;
using Pipeline.Search;
using Pipeline.Tests.Integration.Infrastructure;

namespace Pipeline.Tests.Integration.Search;

/// <summary>
/// The original system's users asked in Korean. With M-CLIP's text tower as the query tower (<c>Models:QueryEmbedder</c>,
/// a stand-in here) the seed's request reaches the stored CLIP vectors through that tower and the stored text through
/// full text, in the service and in <c>pipeline search</c>; a query tower that cannot query the image tower stops both.
/// </summary>
public sealed class MultilingualQueryTests(SearchDatabase database) : IClassFixture<SearchDatabase>
{
    private const string SeedQuery = "고슴도치 사진을 찾아 줘.";

    [Fact]
    public async Task TheSeedsRequestFindsThePictureWhoseTextSaysItAndComparesVectorsThroughMClip()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var owner = await StoreAsync();
        using var mclip = new MClipTextEmbedder(new QueryEmbedderOptions { Path = database.Services.StandInMClipFolder }, database.Sessions);
        var queryVector = (await mclip.EmbedAsync([SeedQuery], cancellationToken))[0];

        var page = await database.CreateSearch(overrides: WithMClip()).SearchAsync(new SearchQuery(owner, SeedQuery, PageSize: 10), cancellationToken);

        Assert.Equal($"{owner}/hedgehog-grass", page.Hits[0].ImageId);
        Assert.Equal("고슴도치가 풀밭에 있다", page.Hits[0].OcrText);
        Assert.True(page.Hits[0].TextRank > 0);
        Assert.Equal(database.ModelId, page.EmbeddingModelId);
        Assert.All(page.Hits, hit => Assert.True(hit.StandInModels, hit.ImageId));
        // The vector half is M-CLIP's: each similarity is its query vector against the stored CLIP vector.
        var stored = await StoredVectorsAsync(owner);
        Assert.All(page.Hits, hit => Assert.Equal(Dot(queryVector, stored[hit.ImageId]), hit.Similarity!.Value, 4));
    }

    [Fact]
    public async Task AQueryOfOneStopWordRanksByTheVectorAlone()
    {
        var owner = await StoreAsync();

        var page = await database.CreateSearch(overrides: WithMClip()).SearchAsync(new SearchQuery(owner, "the", PageSize: 10), TestContext.Current.CancellationToken);

        Assert.Equal(4, page.Hits.Count);
        Assert.All(page.Hits, hit => Assert.Null(hit.TextRank));
        Assert.Equal(page.Hits.Select(h => h.Similarity).OrderDescending(), page.Hits.Select(h => h.Similarity));
    }

    [Fact]
    public async Task PipelineSearchTakesTheKoreanRequestThroughMClip()
    {
        var owner = await StoreAsync();

        var (exitCode, output) = await CliConsole.RunAsync(WithMClip(database.Configuration()), context => [SearchCommand.Create(context)], "search", SeedQuery, "--owner", owner);

        Assert.True(exitCode == 0, output);
        Assert.Equal("hedgehog-grass", CliConsole.RankedRows(output)[0][2]);
        Assert.Contains("STAND-IN", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AQueryTowerThatCannotQueryTheImageTowerStopsTheServiceAndTheCommand()
    {
        var settings = WithMClip(database.Configuration());
        settings["Models:ImageEmbedder:ModelId"] = "clip-vit-large-patch14";
        var expected = $"Models:QueryEmbedder ({database.Services.StandInMClipFolder}) queries vectors of stand-in/clip-vit-base-patch32, stand-in/immich-ViT-B-32__openai, " +
                       "but Models:ImageEmbedder is 'clip-vit-large-patch14': its vectors are in another space.";

        var refused = Assert.Throws<OptionsValidationException>(() => database.CreateSearch(overrides: settings));
        var run = await BuiltProgram.Cli.RunAsync(
            settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value), ["search", SeedQuery, "--owner", "anyone"], TestContext.Current.CancellationToken);

        Assert.StartsWith(expected, refused.Message, StringComparison.Ordinal);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: " + expected, run.FirstErrorLine, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> WithMClip(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Models:QueryEmbedder:Path"] = database.Services.StandInMClipFolder;
        return settings;
    }

    private async Task<string> StoreAsync()
    {
        var owner = "minji-" + Guid.NewGuid().ToString("N")[..8];
        var vectors = await database.EmbedAsync(["a hedgehog", "a cat", "a page", "a mountain"]);
        await database.StoreAsync(
        [
            new($"{owner}/hedgehog-grass", owner, vectors[0], Caption: "an animal outdoors", OcrText: "고슴도치가 풀밭에 있다"),
            new($"{owner}/cat", owner, vectors[1], Caption: "고양이가 소파에 있다"),
            new($"{owner}/page", owner, vectors[2], Caption: "a printed page", OcrText: "Chapter one"),
            new($"{owner}/mountain", owner, vectors[3], Caption: "a mountain at dawn"),
        ]);
        return owner;
    }

    private async Task<Dictionary<string, float[]>> StoredVectorsAsync(string owner)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new Npgsql.NpgsqlCommand("SELECT image_id, embedding::text FROM image_embeddings WHERE image_id LIKE @owner || '/%'", connection);
        command.Parameters.AddWithValue("owner", owner);
        var vectors = new Dictionary<string, float[]>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            vectors[reader.GetString(0)] = reader.GetString(1).Trim('[', ']').Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }

        return vectors;
    }

    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
}
