using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pipeline.Storage.Entities;

namespace Pipeline.Storage;

/// <summary>Reads and writes batch results. A row is only ever inserted whole, in its final state.</summary>
public sealed class ImageResultStore(IDbContextFactory<PipelineDbContext> contexts)
{
    /// <summary>The rows that already exist for these ids, keyed by id (a redelivered message finds its result here).</summary>
    public async Task<Dictionary<string, ImageRecord>> FindAsync(IReadOnlyCollection<string> imageIds, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Images
            .AsNoTracking()
            .Where(i => imageIds.Contains(i.Id))
            .ToDictionaryAsync(i => i.Id, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Inserts the batch's rows and embeddings in one transaction. If another worker inserted one of the ids
    /// meanwhile, the whole batch fails with a unique violation; the retry then finds those rows finished.
    /// </summary>
    /// <param name="timingKey">Each row's <see cref="ImageRecord.TimingsMs"/> gets the insert's own duration under this
    /// key, written in the same transaction so that stored and published timings agree.</param>
    public async Task InsertAsync(IReadOnlyCollection<ImageRecord> records, string timingKey, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        db.Images.AddRange(records);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);

        var ms = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        var ids = records.Select(r => r.Id).ToArray();
        var timing = JsonSerializer.Serialize(new Dictionary<string, double> { [timingKey] = ms });
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE images SET timings_ms = timings_ms || {timing}::jsonb WHERE id = ANY({ids})",
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        foreach (var record in records)
        {
            record.TimingsMs[timingKey] = ms;
        }
    }
}
