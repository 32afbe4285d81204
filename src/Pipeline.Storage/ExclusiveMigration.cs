using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Pipeline.Storage;

/// <summary>
/// Migrations one process at a time. Two workers (or a worker and <c>pipeline migrate</c>) starting together on a new
/// database both see the same pending migrations, and the second fails halfway ("column already exists"). A session
/// advisory lock makes them take turns: the second then finds nothing pending.
/// </summary>
public static class ExclusiveMigration
{
    /// <summary>Advisory locks are per database, so other databases on the server never clash with it.</summary>
    internal static readonly long LockKey = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("pipeline:migrations")), 0);

    /// <returns>The migrations this call applied (none when another process got there first).</returns>
    public static async Task<IReadOnlyList<string>> MigrateExclusivelyAsync(this PipelineDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        await CreateDatabaseIfMissingAsync(db, cancellationToken).ConfigureAwait(false);
        // Not pooled: closing must end the session, and so the lock, not park it in the pool still holding it. A clone
        // of EF's connection keeps its password, which Npgsql leaves out of the connection string it hands back.
        var migrating = (NpgsqlConnection)db.Database.GetDbConnection();
        var builder = new NpgsqlConnectionStringBuilder(migrating.ConnectionString) { Pooling = false, ApplicationName = "pipeline-migrate" };
        await using var connection = migrating.CloneWith(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection) { Parameters = { new() { Value = LockKey } } })
        {
            await take.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        return pending;
    }

    /// <summary>What Migrate would do first, done before the lock: the lock lives in the database.</summary>
    private static async Task CreateDatabaseIfMissingAsync(PipelineDbContext db, CancellationToken cancellationToken)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (await creator.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await creator.CreateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another process created it meanwhile.
        }
    }
}
