using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Pipeline.Contracts;
using Spectre.Console;

namespace Pipeline.Cli.Commands.Ingest;

/// <summary>
/// A live progress bar for an interactive terminal: described / failed / pending and images per second since the
/// first announcement, until every image has a result. Failures are listed when it ends (lines written under a live
/// display would tear it).
/// </summary>
internal static class IngestProgress
{
    public static async Task<(int Described, int Failed)> ShowUntilDoneAsync(
        ChannelReader<object> results, HashSet<string> pending, TimeSpan timeout, Stopwatch clock, CancellationToken cancellationToken)
    {
        var total = pending.Count;
        int described = 0, failed = 0;
        var standIn = false;
        var failures = new List<ImageDescriptionFailed>();
        var timedOut = false;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Describe(0, 0, total, clock.Elapsed), maxValue: total);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(timeout);
                try
                {
                    while (pending.Count > 0)
                    {
                        switch (await results.ReadAsync(deadline.Token).ConfigureAwait(false))
                        {
                            case ImageDescribed ok when pending.Remove(ok.ImageId):
                                described++;
                                standIn |= ok.StandInModels;
                                break;
                            case ImageDescriptionFailed bad when pending.Remove(bad.ImageId):
                                failed++;
                                failures.Add(bad);
                                break;
                        }

                        task.Value = described + failed;
                        task.Description = Describe(described, failed, pending.Count, clock.Elapsed);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    timedOut = true;
                }
            }).ConfigureAwait(false);

        foreach (var bad in failures)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]✗[/] {bad.ImageId}  [red]{bad.Reason}[/]: {bad.Message}");
        }

        if (standIn)
        {
            AnsiConsole.MarkupLine("[black on yellow]STAND-IN models with random weights:[/] the vectors and captions stored mean nothing; they show the pipeline works.");
        }

        if (timedOut)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]Timed out after {timeout.TotalSeconds:F0} s waiting for:[/] {string.Join(", ", pending)}");
        }

        return (described, failed);
    }

    private static string Describe(int described, int failed, int pending, TimeSpan elapsed)
    {
        var rate = elapsed.TotalSeconds > 0 ? (described + failed) / elapsed.TotalSeconds : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"[green]{described} described[/] · [red]{failed} failed[/] · {pending} pending · {rate:F1} images/s");
    }
}
