using Npgsql;

namespace Pipeline.Search.Querying;

/// <summary>Reads the columns every hit query returns, in <see cref="SearchSql"/>'s order.</summary>
internal static class HitReader
{
    public static async Task<List<SearchHit>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var hits = new List<SearchHit>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            hits.Add(new SearchHit(
                ImageId: reader.GetString(0),
                Score: reader.GetDouble(10),
                Similarity: reader.IsDBNull(8) ? null : reader.GetDouble(8),
                TextRank: reader.IsDBNull(9) ? null : reader.GetDouble(9),
                AltText: reader.IsDBNull(1) ? null : reader.GetString(1),
                Caption: reader.IsDBNull(2) ? null : reader.GetString(2),
                OcrText: reader.IsDBNull(3) ? null : reader.GetString(3),
                SourceUri: reader.IsDBNull(4) ? null : reader.GetString(4),
                Width: reader.IsDBNull(5) ? null : reader.GetInt32(5),
                Height: reader.IsDBNull(6) ? null : reader.GetInt32(6),
                CreatedAt: reader.GetFieldValue<DateTimeOffset>(7),
                StandInModels: reader.GetBoolean(11)));
        }

        return hits;
    }
}
