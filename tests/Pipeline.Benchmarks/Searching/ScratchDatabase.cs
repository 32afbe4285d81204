using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pgvector.Npgsql;
using Pipeline.Storage;

namespace Pipeline.Benchmarks.Searching;

/// <summary>A uniquely named database on the configured server with the real schema (the migrations), dropped on dispose.</summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _serverConnectionString;

    private ScratchDatabase(string serverConnectionString, string connectionString, NpgsqlDataSource dataSource)
    {
        _serverConnectionString = serverConnectionString;
        ConnectionString = connectionString;
        DataSource = dataSource;
    }

    public string ConnectionString { get; }

    /// <summary>With pgvector's types mapped, for binary COPY of vectors.</summary>
    public NpgsqlDataSource DataSource { get; }

    public string Name => new NpgsqlConnectionStringBuilder(ConnectionString).Database!;

    public static async Task<ScratchDatabase> CreateAsync(string serverConnectionString, CancellationToken cancellationToken)
    {
        var name = "pipeline_bench_search_" + Guid.NewGuid().ToString("N")[..8];
        await using (var server = new NpgsqlConnection(serverConnectionString))
        {
            await server.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", server);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
        var options = StorageServiceCollectionExtensions.Configure(new DbContextOptionsBuilder<PipelineDbContext>(), connectionString);
        await using (var db = new PipelineDbContext((DbContextOptions<PipelineDbContext>)options.Options))
        {
            await db.Database.MigrateAsync(cancellationToken);
        }

        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseVector();
        return new ScratchDatabase(serverConnectionString, connectionString, builder.Build());
    }

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var server = new NpgsqlConnection(_serverConnectionString);
        await server.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}
