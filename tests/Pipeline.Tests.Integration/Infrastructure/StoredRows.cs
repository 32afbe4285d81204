using Npgsql;

namespace Pipeline.Tests.Integration.Infrastructure;

/// <summary>What a person querying the database would see, read with plain SQL rather than the worker's own code.</summary>
public sealed record StoredRow(
    string Id,
    string Status,
    string? FailureReason,
    string? FailureMessage,
    int? EmbeddingDimensions,
    string? EmbeddingModelId,
    bool StandInModels,
    string? Caption,
    string? AltText,
    string? CaptionModelId,
    string Fingerprint);

public static class StoredRows
{
    public static async Task<List<StoredRow>> ReadAsync(string connectionString, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT i.id, i.status, i.failure_reason, i.failure_message, vector_dims(e.embedding), i.embedding_model_id,
                   i.stand_in_models, i.caption, i.alt_text, i.caption_model_id,
                   concat_ws('|', i.created_at, i.updated_at, i.timings_ms::text, i.content_sha256, e.embedding::text, e.created_at)
            FROM images i LEFT JOIN image_embeddings e ON e.image_id = i.id
            ORDER BY i.id, e.model_id
            """;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<StoredRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new StoredRow(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetBoolean(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.GetString(10)));
        }

        return rows;
    }

    /// <summary>Ids of the rows whose full-text column holds every one of <paramref name="words"/>, as web search reads them.</summary>
    public static async Task<List<string>> MatchingWordsAsync(string connectionString, string words, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT id FROM images WHERE search_text @@ websearch_to_tsquery('simple', @words) ORDER BY id", connection);
        command.Parameters.AddWithValue("words", words);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
