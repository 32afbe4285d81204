using Pipeline.Storage.Entities;

namespace Pipeline.Tests.Faults.Infrastructure;

/// <summary>The promise every fault test checks: each announced image has exactly one whole row in a final state and
/// at least one result event that agrees with it; nothing else is in the database.</summary>
internal static class Completeness
{
    /// <returns>How many events arrived beyond the first per image (at-least-once delivery's redeliveries).</returns>
    public static int AssertEveryImageFinishedOnce(
        IReadOnlyCollection<string> imageIds, IReadOnlyDictionary<string, StoredOutcome> rows, ResultEvents events, bool withCaptions)
    {
        var missing = imageIds.Where(id => !rows.ContainsKey(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} images have no row, e.g. {string.Join(", ", missing.Take(5))}");
        var unexpected = rows.Keys.Except(imageIds, StringComparer.Ordinal).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} rows were never announced, e.g. {string.Join(", ", unexpected.Take(5))}");

        foreach (var id in imageIds)
        {
            var row = rows[id];
            if (row.Status == ImageStatus.Described)
            {
                Assert.True(row.Embeddings == 1, $"{id} is described with {row.Embeddings} embeddings");
                Assert.True(!withCaptions || row.Caption is { Length: > 0 }, $"{id} is described without a caption");
            }
            else
            {
                Assert.True(row.Status == ImageStatus.Failed, $"{id} has status '{row.Status}'");
                Assert.True(row.Reason is { Length: > 0 } && row.Message is { Length: > 0 }, $"{id} failed without a reason and message");
                Assert.True(row.Embeddings == 0, $"{id} failed but has {row.Embeddings} embeddings");
            }

            Assert.True(events.ByImage.TryGetValue(id, out var received) && !received.IsEmpty, $"{id} has a row but no result event");
            foreach (var result in received)
            {
                Assert.True(result.Reason == row.Reason, $"{id}: an event says '{result.Reason ?? "described"}', the row '{row.Reason ?? "described"}'");
            }
        }

        return imageIds.Sum(events.CountFor) - imageIds.Count;
    }
}
