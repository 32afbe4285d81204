using System.Text.Json;
using Pipeline.Cli.Commands.Search;
using static Pipeline.Tests.Integration.Search.SearchCorpus;

namespace Pipeline.Tests.Integration.Search;

/// <summary><c>pipeline search / similar / classify</c> against the corpus database, read from what they print.</summary>
public sealed class SearchCommandTests(SearchCorpus corpus) : IClassFixture<SearchCorpus>
{
    [Fact]
    public async Task SearchPrintsARankedTableOfTheOwnersBestMatches()
    {
        var (exitCode, output) = await RunAsync("search", Queries[0].Text, "--owner", Alice, "--page-size", "5");

        Assert.True(exitCode == 0, output);
        Assert.Equal(["rank", "score", "image", "alt-text"], CliConsole.Rows(output)[0]);
        var rows = CliConsole.RankedRows(output);
        Assert.Equal(["1", "2", "3", "4", "5"], rows.Select(r => r[0]));
        Assert.Equal(["1", "0.900", Shown(Best(Alice, "hedgehog")), "Alice's hedgehog, close to \"a hedgehog in the grass\"."], rows[0]);
        Assert.Equal(["2", "0.800", Shown(Near(Alice, "hedgehog")), "Alice's other hedgehog."], rows[1]);
        Assert.DoesNotContain(rows, r => r[2].StartsWith(Bob, StringComparison.Ordinal));
        Assert.Contains("STAND-IN", output, StringComparison.Ordinal);
        Assert.Contains("Page 1, 5 hit(s); more on --page 2.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondPageContinuesTheRanksAndMinScoreCutsTheTable()
    {
        var (_, second) = await RunAsync("search", Queries[0].Text, "--owner", Alice, "--page-size", "5", "--page", "2");
        Assert.Equal(["6", "7", "8", "9", "10"], CliConsole.RankedRows(second).Select(r => r[0]));

        var (_, cut) = await RunAsync("search", Queries[0].Text, "--owner", Alice, "--min-score", "0.85");
        Assert.Equal([Shown(Best(Alice, "hedgehog"))], CliConsole.RankedRows(cut).Select(r => r[2]));
    }

    [Fact]
    public async Task SearchJsonHoldsThePageAsTheServiceReturnsIt()
    {
        var (exitCode, output) = await RunAsync("search", Queries[2].Text, "--owner", Alice, "--page-size", "3", "--json");

        Assert.True(exitCode == 0, output);
        using var json = JsonDocument.Parse(output);
        var hits = json.RootElement.GetProperty("hits").EnumerateArray().ToList();
        Assert.Equal([Shown(Best(Alice, "ramen")), Shown(Near(Alice, "ramen"))], hits.Take(2).Select(h => h.GetProperty("imageId").GetString()));
        Assert.Equal(3, hits.Count);
        Assert.True(json.RootElement.GetProperty("hasMore").GetBoolean());
        Assert.Equal(corpus.Database.ModelId, json.RootElement.GetProperty("embeddingModelId").GetString());
    }

    [Fact]
    public async Task SimilarPrintsTheNeighboursAndRefusesAnotherOwnersPicture()
    {
        var (exitCode, output) = await RunAsync("similar", Best(Alice, "bicycle"), "--owner", Alice, "--page-size", "3");
        Assert.True(exitCode == 0, output);
        Assert.Equal(Shown(Near(Alice, "bicycle")), CliConsole.RankedRows(output)[0][2]);

        // The id search shows works as well as the stored one: one id everywhere.
        var (shownExit, shown) = await RunAsync("similar", Shown(Best(Alice, "bicycle")), "--owner", Alice, "--page-size", "3");
        Assert.True(shownExit == 0, shown);
        Assert.Equal(CliConsole.RankedRows(output), CliConsole.RankedRows(shown));

        var (refused, message) = await RunAsync("similar", Best(Bob, "bicycle"), "--owner", Alice);
        Assert.Equal(1, refused);
        Assert.Contains($"Owner alice has no described picture '{Best(Bob, "bicycle")}'.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClassifyPrintsTheBestLabelOfEachPicture()
    {
        string[] args = ["classify", "--owner", Carol, .. Labels.SelectMany(l => new[] { "--label", l })];
        var (exitCode, output) = await RunAsync(args);

        Assert.True(exitCode == 0, output);
        var rows = CliConsole.Rows(output);
        Assert.Equal(["image", "label", "probability", "all labels"], rows[0]);
        Assert.Equal(Labels.Count, rows.Count - 1);
        Assert.All(rows.Skip(1), row => Assert.Equal(Shown(Labelled(row[1])), row[0]));
    }

    [Fact]
    public async Task ClassifyWithOneLabelIsRefusedBeforeAnythingRuns()
    {
        var (exitCode, output) = await RunAsync("classify", "--owner", Carol, "--label", "cat");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Give at least two different --label values.", output, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Output)> RunAsync(params string[] args) => CliConsole.RunAsync(
        corpus.Database.Configuration(),
        context => [SearchCommand.Create(context), SimilarCommand.Create(context), ClassifyCommand.Create(context)],
        args);

    /// <summary>An id as the CLI and the API show it: without its owner.</summary>
    private static string Shown(string rowId) => rowId[(rowId.IndexOf('/', StringComparison.Ordinal) + 1)..];
}
