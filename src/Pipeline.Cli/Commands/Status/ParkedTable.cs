using System.Globalization;
using Pipeline.Cli.Queues;
using Spectre.Console;

namespace Pipeline.Cli.Commands.Status;

/// <summary>The parked messages per reason: whether <c>pipeline redrive</c> may bring them through, and since when they wait.</summary>
internal static class ParkedTable
{
    public static void Write(IAnsiConsole console, ParkedSummary summary)
    {
        var table = new Table().AddColumn("parked because").AddColumn("a retry")
            .AddColumn(new TableColumn("messages").RightAligned()).AddColumn("oldest (UTC)").AddColumn("newest (UTC)");
        foreach (var group in summary.Groups)
        {
            table.AddRow(
                Markup.Escape(group.Reason.Label),
                group.Reason.MayRetry ? "may succeed" : "fails again",
                Number(group.Messages),
                Time(group.Oldest),
                Time(group.Newest));
        }

        console.Write(table);
        if (summary.Capped)
        {
            console.MarkupLine($"Only the first {Number(summary.Inspected)} of {Number(summary.Waiting)} parked messages were read (status reads at most {Number(ParkedMessagePeek.MaxInspected)}).");
        }
    }

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
