using System.Globalization;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Search;
using Spectre.Console;

namespace Pipeline.Cli.Commands.Search;

/// <summary>Pages of hits and classifications as a ranked table, or as JSON for scripts.</summary>
internal static class SearchOutput
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The page as the service returns it, with each id as the API shows it (without the owner).</summary>
    public static void WriteJson(CliContext context, SearchPage page, string owner) =>
        context.Out.WriteLine(JsonSerializer.Serialize(
            page with { Hits = [.. page.Hits.Select(h => h with { ImageId = ImageIds.ShownId(owner, h.ImageId) })] }, Json));

    public static void WriteJson(CliContext context, ClassificationPage page, string owner) =>
        context.Out.WriteLine(JsonSerializer.Serialize(
            page with { Items = [.. page.Items.Select(i => i with { ImageId = ImageIds.ShownId(owner, i.ImageId) })] }, Json));

    public static void WriteHits(CliContext context, SearchPage page, string owner, string what)
    {
        var console = context.Console;
        if (page.Hits.Count == 0)
        {
            console.MarkupLineInterpolated($"No pictures of owner [bold]{owner}[/] {what} on page {page.Page}.");
            return;
        }

        WarnAboutStandIns(console, page.Hits.Any(h => h.StandInModels));
        var table = new Table().AddColumn(new TableColumn("rank").RightAligned()).AddColumn(new TableColumn("score").RightAligned())
            .AddColumn("image").AddColumn("alt-text");
        var rank = ((page.Page - 1) * page.PageSize) + 1;
        foreach (var hit in page.Hits)
        {
            table.AddRow(
                new Text((rank++).ToString(CultureInfo.InvariantCulture)),
                new Text(hit.Score.ToString("F3", CultureInfo.InvariantCulture)),
                new Text(ImageIds.ShownId(owner, hit.ImageId)),
                new Text(hit.AltText ?? "(none)"));
        }

        console.Write(table);
        var more = page.HasMore ? $"; more on --page {page.Page + 1}" : "";
        console.MarkupLineInterpolated($"[grey]Page {page.Page}, {page.Hits.Count} hit(s){more}. Ranked by {RankedBy(page.EmbeddingModelId)}.[/]");
    }

    public static void WriteClassifications(CliContext context, ClassificationPage page, string owner)
    {
        var console = context.Console;
        if (page.EmbeddingModelId is null)
        {
            console.MarkupLine("[yellow]No image embedder is configured (Models:ImageEmbedder:Path): there are no CLIP vectors to classify.[/]");
            return;
        }

        if (page.Items.Count == 0)
        {
            console.MarkupLineInterpolated($"No pictures of owner [bold]{owner}[/] with {page.EmbeddingModelId} vectors on page {page.Page}.");
            return;
        }

        WarnAboutStandIns(console, page.Items.Any(i => i.StandInModels));
        var table = new Table().AddColumn("image").AddColumn("label").AddColumn(new TableColumn("probability").RightAligned()).AddColumn("all labels");
        foreach (var item in page.Items)
        {
            table.AddRow(
                new Text(ImageIds.ShownId(owner, item.ImageId)),
                new Text(item.Label),
                new Text(item.Probability.ToString("F3", CultureInfo.InvariantCulture)),
                new Text(string.Join(" · ", item.Scores.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {s.Value:F3}")))));
        }

        console.Write(table);
        var more = page.HasMore ? $"; more on --page {page.Page + 1}" : "";
        console.MarkupLineInterpolated($"[grey]Page {page.Page}, {page.Items.Count} picture(s){more}. Zero-shot over {page.EmbeddingModelId}.[/]");
    }

    private static string RankedBy(string? modelId) =>
        modelId is null ? "full text only (no image embedder configured)" : $"{modelId} similarity + full text";

    private static void WarnAboutStandIns(IAnsiConsole console, bool standIn)
    {
        if (standIn)
        {
            console.MarkupLine("[black on yellow]STAND-IN models with random weights:[/] these rankings mean nothing; they show the search works.");
        }
    }
}
