namespace Pipeline.Cli.Queues;

/// <summary>The parked messages of one reason, and when the first and the last of them were parked (where recorded).</summary>
internal sealed record ParkedGroup(ParkedReason Reason, int Messages, DateTimeOffset? Oldest, DateTimeOffset? Newest);

/// <summary>Why the messages of an error queue wait, from the first <paramref name="Inspected"/> of its <paramref name="Waiting"/>.</summary>
internal sealed record ParkedSummary(IReadOnlyList<ParkedGroup> Groups, int Inspected, long Waiting)
{
    public bool Capped => Inspected < Waiting;

    public static ParkedSummary Of(IReadOnlyList<(ParkedReason Reason, DateTimeOffset? ParkedAt)> parked, long waiting) => new(
        parked.GroupBy(p => p.Reason)
            .Select(group => new ParkedGroup(group.Key, group.Count(), group.Min(p => p.ParkedAt), group.Max(p => p.ParkedAt)))
            .OrderByDescending(group => group.Messages).ThenBy(group => group.Reason.Label, StringComparer.Ordinal)
            .ToList(),
        parked.Count,
        waiting);
}
