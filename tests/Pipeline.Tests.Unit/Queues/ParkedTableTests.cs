using Pipeline.Cli.Commands.Status;
using Pipeline.Cli.Queues;
using Spectre.Console;

namespace Pipeline.Tests.Unit.Queues;

public sealed class ParkedTableTests
{
    private static readonly ParkedReason Database = new("database unreachable", "System.Net.Sockets.SocketException", MayRetry: true);
    private static readonly ParkedReason Crashed = new("worker-crashed", null, MayRetry: false);

    [Fact]
    public void EachReasonIsOneRowWithItsCountWhetherARetryMaySucceedAndSinceWhen()
    {
        var first = new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
        var summary = ParkedSummary.Of([(Crashed, null), (Database, first.AddMinutes(5)), (Database, first), (Database, first.AddHours(2))], waiting: 4);

        var rows = Rows(Render(summary));

        Assert.Equal(["parked because", "a retry", "messages", "oldest (UTC)", "newest (UTC)"], rows[0]);
        Assert.Equal(["database unreachable (System.Net.Sockets.SocketException)", "may succeed", "3", "2026-12-07 09:00:00", "2026-12-07 11:00:00"], rows[1]);
        Assert.Equal(["worker-crashed", "fails again", "1", "", ""], rows[2]);
        Assert.False(summary.Capped);
    }

    [Fact]
    public void ACappedReadSaysHowManyOfHowManyWereRead()
    {
        var summary = ParkedSummary.Of(Enumerable.Repeat((Crashed, (DateTimeOffset?)null), 10_000).ToList(), waiting: 12_345);

        var output = Render(summary);

        Assert.True(summary.Capped);
        Assert.Equal(["worker-crashed", "fails again", "10,000", "", ""], Rows(output)[1]);
        Assert.Contains("Only the first 10,000 of 12,345 parked messages were read (status reads at most 10,000).", output, StringComparison.Ordinal);
    }

    private static string Render(ParkedSummary summary)
    {
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 200;
        ParkedTable.Write(console, summary);
        return output.ToString();
    }

    private static List<string[]> Rows(string output) =>
        output.Split('\n').Where(line => line.Contains('│', StringComparison.Ordinal)).Select(line => line.Split('│', StringSplitOptions.TrimEntries)[1..^1]).ToList();
}
