using Microsoft.EntityFrameworkCore;

namespace Pipeline.Storage.Watching;

/// <summary>A blob as announced: its name, the version (ETag) announced and its last-modified time.</summary>
public sealed record AnnouncedBlob(string Name, string ETag, DateTimeOffset LastModified);

/// <summary>How far a container's watcher has got: the newest blob handled, by last-modified time, then name.</summary>
public sealed record BlobWatchCursor(DateTimeOffset LastModified, string Name);

/// <summary>
/// The record of announced blobs (<c>announced_blobs</c>) and the watchers' cursors (<c>blob_watch_cursors</c>),
/// shared by the worker's watcher and the API's blob-events endpoint so that a blob either of them announced is not
/// announced again by the other. Callers announce first and record afterwards: a crash in between repeats an
/// announcement (the worker answers a repeated version from the stored row) but never loses one.
/// </summary>
public sealed class BlobAnnouncementStore(IDbContextFactory<PipelineDbContext> contexts, TimeProvider time)
{
    public async Task<BlobWatchCursor?> ReadCursorAsync(string container, string prefix, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.BlobWatchCursors.AsNoTracking()
            .SingleOrDefaultAsync(c => c.Container == container && c.Prefix == prefix, cancellationToken)
            .ConfigureAwait(false);
        return row is null ? null : new BlobWatchCursor(row.LastModified, row.Name);
    }

    /// <summary>The announced version of each of these blobs that was announced before, by name.</summary>
    public async Task<Dictionary<string, string>> AnnouncedVersionsAsync(
        string container, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        if (names.Count == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.AnnouncedBlobs.AsNoTracking()
            .Where(b => b.Container == container && names.Contains(b.Name))
            .ToDictionaryAsync(b => b.Name, b => b.ETag, StringComparer.Ordinal, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Records announced blobs and, when given, moves the cursor forward (never back), in one transaction. A record is
    /// not replaced by one with an older last-modified time: a late pushed event of an earlier version must not make
    /// the current version look unannounced (that would only repeat an announcement, but needlessly).
    /// </summary>
    public async Task RecordAsync(
        string container, IReadOnlyCollection<AnnouncedBlob> blobs, (string Prefix, BlobWatchCursor Mark)? cursor, CancellationToken cancellationToken)
    {
        var latest = blobs.GroupBy(b => b.Name, StringComparer.Ordinal).Select(g => g.MaxBy(b => b.LastModified)!).ToList();
        var names = latest.Select(b => b.Name).ToArray();
        var etags = latest.Select(b => b.ETag).ToArray();
        var modified = latest.Select(b => b.LastModified.ToUniversalTime()).ToArray();
        var now = time.GetUtcNow();

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (names.Length > 0)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO announced_blobs AS a (container, name, etag, last_modified, announced_at)
                SELECT {container}, t.name, t.etag, t.last_modified, {now}
                FROM unnest({names}::text[], {etags}::text[], {modified}::timestamptz[]) AS t(name, etag, last_modified)
                ON CONFLICT (container, name) DO UPDATE
                SET etag = excluded.etag, last_modified = excluded.last_modified, announced_at = excluded.announced_at
                WHERE a.last_modified <= excluded.last_modified
                """, cancellationToken).ConfigureAwait(false);
        }

        if (cursor is { } advance)
        {
            var (prefix, mark) = advance;
            // Names compare bytewise ("C"), as the watcher orders them (ordinal), whatever the database's collation.
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO blob_watch_cursors AS c (container, prefix, last_modified, name, updated_at)
                VALUES ({container}, {prefix}, {mark.LastModified.ToUniversalTime()}, {mark.Name}, {now})
                ON CONFLICT (container, prefix) DO UPDATE
                SET last_modified = excluded.last_modified, name = excluded.name, updated_at = excluded.updated_at
                WHERE (c.last_modified, c.name COLLATE "C") < (excluded.last_modified, excluded.name COLLATE "C")
                """, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
