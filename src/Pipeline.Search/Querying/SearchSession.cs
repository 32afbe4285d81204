using System.Data;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pipeline.Storage;

namespace Pipeline.Search.Querying;

/// <summary>
/// One transaction on a pooled context's connection, with the HNSW settings of one query set for it alone
/// (<c>set_config(…, is_local: true)</c> is SET LOCAL with parameters): pooled connections never carry them to other work.
/// </summary>
internal sealed class SearchSession : IAsyncDisposable
{
    private readonly PipelineDbContext _context;
    private readonly NpgsqlTransaction _transaction;

    private SearchSession(PipelineDbContext context, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _context = context;
        Connection = connection;
        _transaction = transaction;
    }

    public NpgsqlConnection Connection { get; }

    public static async Task<SearchSession> OpenAsync(IDbContextFactory<PipelineDbContext> contexts, CancellationToken cancellationToken)
    {
        var context = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = (NpgsqlConnection)context.Database.GetDbConnection();
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
            return new SearchSession(context, connection, transaction);
        }
        catch
        {
            await context.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// ef_search is the HNSW candidate list: it must hold at least the rows asked for, or the index returns fewer.
    /// Iterative scan (pgvector 0.8) resumes the search when the owner filter has thrown away too many of them.
    /// </summary>
    public async Task UseVectorIndexAsync(int candidates, SearchOptions options, CancellationToken cancellationToken)
    {
        const int PgvectorMaxEfSearch = 1000;
        var efSearch = Math.Clamp(candidates, options.EfSearch, PgvectorMaxEfSearch);
        await using var command = new NpgsqlCommand(
            """
            SELECT set_config('hnsw.ef_search', @ef_search, true),
                   set_config('hnsw.iterative_scan', 'relaxed_order', true),
                   set_config('hnsw.max_scan_tuples', @max_scan_tuples, true)
            """,
            Connection,
            _transaction);
        command.Parameters.AddWithValue("ef_search", efSearch.ToString(CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("max_scan_tuples", Math.Max(options.MaxScanTuples, candidates).ToString(CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public NpgsqlCommand Command(string sql) => new(sql, Connection, _transaction);

    public async ValueTask DisposeAsync()
    {
        // Nothing was written: ending the transaction either way only releases the settings.
        await _transaction.DisposeAsync().ConfigureAwait(false);
        await _context.DisposeAsync().ConfigureAwait(false);
    }
}
