using Microsoft.EntityFrameworkCore;
using Pipeline.Storage.Entities;

namespace Pipeline.Storage;

/// <summary>Reads and replaces the stored downscale settings (the original server's <c>config</c> endpoint).</summary>
public sealed class DownscaleSettingsStore(IDbContextFactory<PipelineDbContext> contexts, TimeProvider clock)
{
    /// <summary>The stored settings, or null when the workers' own configuration applies.</summary>
    public async Task<DownscaleSettingsRecord?> FindAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.DownscaleSettings.AsNoTracking()
            .SingleOrDefaultAsync(s => s.Id == DownscaleSettingsRecord.SingletonId, cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task<DownscaleSettingsRecord> SaveAsync(int maxSide, int minSide, string updatedBy, CancellationToken cancellationToken)
    {
        var record = new DownscaleSettingsRecord
        {
            MaxSide = maxSide,
            MinSide = minSide,
            UpdatedBy = updatedBy,
            UpdatedAt = clock.GetUtcNow(),
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        // One statement, so two concurrent changes cannot both insert: the last one wins.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO downscale_settings (id, max_side, min_side, updated_by, updated_at)
            VALUES ({record.Id}, {record.MaxSide}, {record.MinSide}, {record.UpdatedBy}, {record.UpdatedAt})
            ON CONFLICT (id) DO UPDATE SET max_side = excluded.max_side, min_side = excluded.min_side,
                updated_by = excluded.updated_by, updated_at = excluded.updated_at
            """,
            cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>Removes the stored settings: the workers go back to their own configuration.</summary>
    public async Task<bool> ResetAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.DownscaleSettings.Where(s => s.Id == DownscaleSettingsRecord.SingletonId)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;
    }
}
