using Npgsql;

namespace Pipeline.Tests.Faults.Infrastructure;

/// <summary>An image's row as a person querying the database sees it (plain SQL, not the worker's code).</summary>
/// <param name="Embeddings">Rows in image_embeddings for it.</param>
/// <param name="BatchInsert">The insert's duration stored with every row of a batch: rows that share it were written together.</param>
internal sealed record StoredOutcome(
    string Id,
    string Status,
    string? Reason,
    string? Message,
    int Embeddings,
    string? Caption,
    int? Width,
    int? Height,
    int? ProcessedWidth,
    int? ProcessedHeight,
    string? BatchInsert);

internal static class StoredOutcomes
{
    public static async Task<Dictionary<string, StoredOutcome>> ReadAsync(string connectionString, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT i.id, i.status, i.failure_reason, i.failure_message,
                   (SELECT count(*) FROM image_embeddings e WHERE e.image_id = i.id)::int,
                   i.caption, i.width, i.height, i.processed_width, i.processed_height, i.timings_ms->>'persist'
            FROM images i
            """;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new Dictionary<string, StoredOutcome>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new StoredOutcome(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetInt32(6),
                reader.IsDBNull(7) ? null : reader.GetInt32(7),
                reader.IsDBNull(8) ? null : reader.GetInt32(8),
                reader.IsDBNull(9) ? null : reader.GetInt32(9),
                reader.IsDBNull(10) ? null : reader.GetString(10));
            rows.Add(row.Id, row);
        }

        return rows;
    }
}
