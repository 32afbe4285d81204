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
    public async Task InsertAsync(IReadOnlyCollection<ImageRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        db.Images.AddRange(records);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }
}
