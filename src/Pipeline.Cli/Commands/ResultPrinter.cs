using System.Globalization;
using System.Threading.Channels;
using Pipeline.Contracts;
using Spectre.Console;

namespace Pipeline.Cli.Commands;

/// <summary>Prints result events for a set of image ids as they arrive.</summary>
internal static class ResultPrinter
{
    public static async Task<(int Described, int Failed)> PrintUntilDoneAsync(
        ChannelReader<object> results, HashSet<string> pending, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
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
                        PrintDescribed(ok);
                        break;
                    case ImageDescriptionFailed bad when pending.Remove(bad.ImageId):
                        failed++;
                        AnsiConsole.MarkupLineInterpolated($"[red]✗[/] {bad.ImageId}  [red]{bad.Reason}[/]: {bad.Message}");
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

    private static void PrintDescribed(ImageDescribed result)
    {
        var timings = string.Join(" ", result.TimingsMs.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {t.Value:F0}ms")));
        var standIn = result.StandInModels ? " [black on yellow] STAND-IN MODEL [/]" : "";
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[green]✓[/] {Markup.Escape(result.ImageId)}  {result.Width}×{result.Height} → {result.ProcessedWidth}×{result.ProcessedHeight}  " +
            $"embedding {Markup.Escape(result.EmbeddingModelId)}{standIn}  [grey]{Markup.Escape(timings)}[/]"));
        AnsiConsole.MarkupLineInterpolated($"    alt-text: {result.AltText ?? "(no captioner configured yet)"}");
    }
}
