using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pipeline.Storage.Entities;

namespace Pipeline.Storage;

/// <summary>
/// Reads and writes batch results. A row is only ever inserted whole, in its final state, and replaced whole when a new
/// version of its source is described.
/// </summary>
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
    /// Inserts the batch's rows and embeddings in one transaction, replacing the rows named in
    /// <paramref name="replacing"/> (a new version of their source was described): each is deleted with its embeddings
    /// only if it is still the version that was read, and the new row takes its place, keeping its first created_at.
    /// If another worker inserted or replaced one of the ids meanwhile, the whole batch fails (a unique violation or
    /// <see cref="DbUpdateConcurrencyException"/>); the retry then finds those rows as they are now.
    /// </summary>
    /// <param name="replacing">The stored rows being replaced, by id, as they were read.</param>
    /// <param name="timingKey">Each row's <see cref="ImageRecord.TimingsMs"/> gets the insert's own duration under this
    /// key, written in the same transaction so that stored and published timings agree.</param>
    public async Task WriteAsync(
        IReadOnlyCollection<ImageRecord> records,
        IReadOnlyDictionary<string, ImageRecord> replacing,
        string timingKey,
        CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var replaced = records.Where(r => replacing.ContainsKey(r.Id)).ToList();
        if (replaced.Count > 0)
        {
            var replacedIds = replaced.Select(r => r.Id).ToArray();
            var readVersions = replaced.Select(r => replacing[r.Id].SourceVersion).ToArray();
            var deleted = await db.Database.ExecuteSqlInterpolatedAsync($"""
                DELETE FROM images i USING unnest({replacedIds}::text[], {readVersions}::text[]) AS r(id, version)
                WHERE i.id = r.id AND i.source_version IS NOT DISTINCT FROM r.version
                """, cancellationToken).ConfigureAwait(false);
            if (deleted != replaced.Count)
            {
                throw new DbUpdateConcurrencyException(
                    $"{replaced.Count - deleted} of {replaced.Count} rows to replace changed since they were read.");
            }

            foreach (var record in replaced)
            {
                record.CreatedAt = replacing[record.Id].CreatedAt;
            }
        }

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
