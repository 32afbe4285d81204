using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Pipeline.Worker.Intake.Watching;

/// <summary>
/// One watcher per container across all workers: a Postgres session advisory lock keyed by the container's name,
/// taken with <c>pg_try_advisory_lock</c> on a connection of its own that stays open while it is held. A worker that
/// does not get it tries again on its next poll; a holder that dies (or loses its connection) lets it go with its
/// session. Should a holder's connection break while it polls, another worker may poll the same container for a
/// moment: that repeats announcements (the worker answers a repeated version from the stored row), it loses none.
/// </summary>
public sealed partial class ContainerLease(string connectionString, string container, ILogger logger) : IAsyncDisposable
{
    private readonly long _key = KeyOf(container);
    private NpgsqlConnection? _connection;
    private bool _held;

    /// <summary>True while this worker holds the container's lock (taking it if it is free).</summary>
    public async Task<bool> HoldAsync(CancellationToken cancellationToken)
    {
        try
        {
            _connection ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
            if (_held)
            {
                // The lock lives as long as the session: a session that still answers still holds it.
                await using var alive = new NpgsqlCommand("SELECT 1", _connection);
                await alive.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }

            await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", _connection);
            take.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _key });
            _held = (bool)(await take.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (_held)
            {
                LogAcquired(logger, container);
            }

            return _held;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            if (_held)
            {
                LogLost(logger, container);
            }

            await CloseAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_held && _connection is not null)
        {
            try
            {
                await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", _connection);
                release.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _key });
                await release.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
                LogReleased(logger, container);
            }
            catch (NpgsqlException)
            {
                // Closing the session below releases it just the same.
            }
        }

        await CloseAsync().ConfigureAwait(false);
    }

    /// <summary>A stable 64-bit key per container (advisory locks are per database, so other databases never clash).</summary>
    public static long KeyOf(string container) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("pipeline:blob-watch:" + container)), 0);

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        // Not pooled: closing must end the session (and so the lock), not park it in the pool still holding it.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "pipeline-blob-watch" };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task CloseAsync()
    {
        _held = false;
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching container {Container}: this worker holds its lock")]
    private static partial void LogAcquired(ILogger logger, string container);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the watch lock of container {Container} with its database connection; trying again next poll")]
    private static partial void LogLost(ILogger logger, string container);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released the watch lock of container {Container}")]
    private static partial void LogReleased(ILogger logger, string container);
}
