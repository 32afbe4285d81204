using Npgsql;
using Pipeline.Storage.Entities;

namespace Pipeline.Cli.Commands.Status;

/// <param name="FailureReasons">Failed images per reason code.</param>
internal sealed record OwnerCounts(string Owner, long Described, long Failed, IReadOnlyDictionary<string, long> FailureReasons);

/// <summary>How many images are described and failed, per owner and failure reason (one grouped read of <c>images</c>).</summary>
internal static class ImageCounts
{
    public static async Task<List<OwnerCounts>> ReadAsync(string connectionString, string? owner, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT owner_id, status, coalesce(failure_reason, ''), count(*)
            FROM images
            WHERE @owner::text IS NULL OR owner_id = @owner
            GROUP BY owner_id, status, failure_reason
            ORDER BY owner_id
            """;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter("owner", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)owner ?? DBNull.Value });
        var rows = new List<(string Owner, string Status, string Reason, long Count)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
            }
        }

        return rows.GroupBy(r => r.Owner, StringComparer.Ordinal).Select(group => new OwnerCounts(
            group.Key,
            group.Where(r => r.Status == ImageStatus.Described).Sum(r => r.Count),
            group.Where(r => r.Status == ImageStatus.Failed).Sum(r => r.Count),
            group.Where(r => r.Status == ImageStatus.Failed).ToDictionary(r => r.Reason, r => r.Count, StringComparer.Ordinal))).ToList();
    }
}
