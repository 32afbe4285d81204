using System.CommandLine;
using System.Globalization;
using Pipeline.Cli.Queues;
using Pipeline.Messaging;
using Spectre.Console;

namespace Pipeline.Cli.Commands.Status;

/// <summary>
/// <c>status</c>: what the pipeline has done (described / failed per owner, failure reasons) and what waits (queue depth,
/// consumers, and why the messages in the error queue were parked).
/// </summary>
internal static class StatusCommand
{
    public static Command Create(CliContext context)
    {
        var owner = new Option<string?>("--owner") { Description = "Only this owner's images (default: every owner)." };
        var queue = new Option<string>("--queue") { Description = "The worker's input queue.", DefaultValueFactory = _ => QueueNames.ImageUploaded };
        var command = new Command(
            "status", "Described and failed images per owner, failure reasons, the input queue's depth and consumers, and why parked messages wait.") { owner, queue };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = context.LoadConfiguration();
            var counts = await ImageCounts.ReadAsync(
                configuration.ConnectionString("Postgres", "to count the images"), parse.GetValue(owner), cancellationToken).ConfigureAwait(false);
            var inputQueue = parse.GetRequiredValue(queue);
            var rabbit = RabbitMqConnection.Parse(configuration.ConnectionString("RabbitMq", "to read the queues"));
            var errorQueue = inputQueue + "_error";
            var depths = await QueueDepths.ReadAsync(rabbit, [inputQueue, errorQueue], cancellationToken).ConfigureAwait(false);
            var parked = depths.Single(d => d.Queue == errorQueue).Messages > 0
                ? await ParkedMessagePeek.ReadAsync(rabbit, errorQueue, ParkedMessagePeek.MaxInspected, cancellationToken).ConfigureAwait(false)
                : null;
            Write(context.Console, counts, depths);
            if (parked is not null)
            {
                ParkedTable.Write(context.Console, parked);
            }

            return 0;
        });
        return command;
    }

    private static void Write(IAnsiConsole console, List<OwnerCounts> counts, List<QueueDepth> depths)
    {
        var owners = new Table().AddColumn("owner").AddColumn(new TableColumn("described").RightAligned())
            .AddColumn(new TableColumn("failed").RightAligned()).AddColumn(new TableColumn("total").RightAligned());
        foreach (var row in counts)
        {
            owners.AddRow(row.Owner, Number(row.Described), Number(row.Failed), Number(row.Described + row.Failed));
        }

        if (counts.Count > 1)
        {
            owners.AddRow("[bold]all[/]", Number(counts.Sum(c => c.Described)), Number(counts.Sum(c => c.Failed)), Number(counts.Sum(c => c.Described + c.Failed)));
        }

        if (counts.Count == 0)
        {
            console.MarkupLine("No images stored yet.");
        }
        else
        {
            console.Write(owners);
        }

        var reasons = counts.SelectMany(c => c.FailureReasons)
            .GroupBy(r => r.Key, StringComparer.Ordinal)
            .Select(g => (Reason: g.Key, Count: g.Sum(r => r.Value)))
            .OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal)
            .ToList();
        if (reasons.Count > 0)
        {
            var failures = new Table().AddColumn("failure reason").AddColumn(new TableColumn("images").RightAligned());
            foreach (var (reason, count) in reasons)
            {
                failures.AddRow(Markup.Escape(reason), Number(count));
            }

            console.Write(failures);
        }

        var queues = new Table().AddColumn("queue").AddColumn(new TableColumn("messages").RightAligned()).AddColumn(new TableColumn("consumers").RightAligned());
        foreach (var depth in depths)
        {
            queues.AddRow(
                Markup.Escape(depth.Queue),
                depth.Messages is { } messages ? Number(messages) : "[grey]no such queue[/]",
                depth.Consumers is { } consumers ? Number(consumers) : "");
        }

        console.Write(queues);
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
