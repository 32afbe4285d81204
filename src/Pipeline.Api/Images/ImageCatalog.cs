using Microsoft.EntityFrameworkCore;
using Pipeline.Api.Owners;
using Pipeline.Contracts;
using Pipeline.Storage;
using Pipeline.Storage.Entities;

namespace Pipeline.Api.Images;

/// <summary>Reads stored rows, always for one owner: another owner's row is never read, so it cannot be shown.</summary>
public sealed class ImageCatalog(IDbContextFactory<PipelineDbContext> contexts)
{
    public async Task<ImageRecord?> FindAsync(string owner, string imageId, CancellationToken cancellationToken) =>
        (await FindManyAsync(owner, [imageId], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(imageId);

    /// <summary>The owner's rows for these API ids, keyed by API id.</summary>
    public async Task<Dictionary<string, ImageRecord>> FindManyAsync(
        string owner, IReadOnlyCollection<string> imageIds, CancellationToken cancellationToken)
    {
        // Both spellings: the API's own rows are "{owner}/{id}", other producers' rows keep their own ids.
        var rowIds = imageIds.SelectMany(id => ImageIds.RowCandidates(owner, id)).Distinct(StringComparer.Ordinal).ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Images.AsNoTracking()
            .Where(i => i.OwnerId == owner && rowIds.Contains(i.Id))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows
            .OrderBy(row => row.Id.StartsWith(owner + "/", StringComparison.Ordinal) ? 0 : 1)
            .GroupBy(row => ImageIds.ShownId(owner, row.Id), StringComparer.Ordinal)
            .Where(group => imageIds.Contains(group.Key))
            .ToDictionary(group => group.Key, group => group.First(), StringComparer.Ordinal);
    }

    /// <summary>One page of the owner's rows, newest first; one row more than asked tells whether another page follows.</summary>
    public async Task<(List<ImageRecord> Rows, bool HasMore)> ListAsync(
        string owner, string? status, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.Images.AsNoTracking().Where(i => i.OwnerId == owner);
        if (status is not null)
        {
            query = query.Where(i => i.Status == status);
        }

        var rows = await query
            .OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id)
            .Skip((page - 1) * pageSize).Take(pageSize + 1)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var hasMore = rows.Count > pageSize;
        return (rows.Take(pageSize).ToList(), hasMore);
    }
}
