using System.Globalization;
using System.Threading.Channels;
using Pipeline.Contracts;
using Spectre.Console;

namespace Pipeline.Cli.Commands.Ingest;

/// <summary>Prints result events for a set of image ids as they arrive.</summary>
internal static class ResultPrinter
{
    private static readonly string[] StageOrder = [StageNames.Fetch, StageNames.Decode, StageNames.Embed, StageNames.Caption, StageNames.Persist];

    public static async Task<(int Described, int Failed)> PrintUntilDoneAsync(
        ChannelReader<object> results, HashSet<string> pending, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var models = new HashSet<string>(StringComparer.Ordinal);
        deadline.CancelAfter(timeout);
        int described = 0, failed = 0;
        try
        {
            while (pending.Count > 0)
            {
                var result = await results.ReadAsync(deadline.Token).ConfigureAwait(false);
                switch (result)
                {
                    case ImageDescribed ok when pending.Remove(ok.ImageId):
                        described++;
                        if (models.Add($"{ok.EmbeddingModelId}|{ok.CaptionModelId}"))
                        {
                            PrintModel(ok);
                        }

                        PrintDescribed(ok);
                        break;
                    case ImageDescriptionFailed bad when pending.Remove(bad.ImageId):
                        failed++;
                        AnsiConsole.MarkupLineInterpolated($"[red]✗[/] {ImageIds.ShownId(bad.OwnerId, bad.ImageId)}  [red]{bad.Reason}[/]: {bad.Message}");
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]Timed out after {timeout.TotalSeconds:F0} s waiting for:[/] {string.Join(", ", pending)}");
        }

        return (described, failed);
    }

    private static int StageRank(string stage)
    {
        var rank = Array.IndexOf(StageOrder, stage);
        return rank < 0 ? int.MaxValue : rank;
    }

    private static void PrintModel(ImageDescribed result)
    {
        AnsiConsole.MarkupLineInterpolated(
            $"Embeddings by [bold]{result.EmbeddingModelId ?? "(no image embedder configured)"}[/], captions by [bold]{result.CaptionModelId ?? "(no captioner configured)"}[/].");
        if (result.StandInModels)
        {
            AnsiConsole.MarkupLine("[black on yellow]STAND-IN models with random weights:[/] vectors and captions below mean nothing; they show the pipeline works.");
        }
    }

    private static void PrintDescribed(ImageDescribed result)
    {
        var timings = string.Join(" · ", result.TimingsMs.OrderBy(t => StageRank(t.Key)).Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {t.Value:F0}")));
        var standIn = result.StandInModels ? " [black on yellow]STAND-IN[/]" : "";
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[green]✓[/] {Markup.Escape(ImageIds.ShownId(result.OwnerId, result.ImageId))}{standIn}  {result.Width}×{result.Height} → {result.ProcessedWidth}×{result.ProcessedHeight}  " +
            $"[grey]{Markup.Escape(timings)} ms[/]"));
        if (result.AltText is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"    alt-text: {result.AltText}");
        }

        if (result.LongDescription is not null)
        {
            AnsiConsole.MarkupLineInterpolated($"    description: {result.LongDescription}");
        }

        if (result.Objects is { Count: > 0 } objects)
        {
            var listed = string.Join(", ", objects.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Label} [{string.Join(' ', o.Box.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}]")));
            AnsiConsole.MarkupLineInterpolated($"    objects: {listed}");
        }
    }
}
