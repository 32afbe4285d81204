using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pipeline.Storage;
using Pipeline.Tests.Integration.Infrastructure;

namespace Pipeline.Tests.Integration.Storage;

/// <summary>Workers and <c>pipeline migrate</c> starting together on a new database: one migrates, the others wait and find nothing to do.</summary>
public sealed class ExclusiveMigrationTests(PipelineServices services)
{
    [Fact]
    public async Task ThreeProcessesMigratingADatabaseThatDoesNotExistYetTakeTurnsAndTheMigrationsAreAppliedOnce()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        // Not created beforehand: migrating creates the database first, as EF's Migrate does, whoever gets there first.
        var connectionString = new NpgsqlConnectionStringBuilder(services.Endpoints.Postgres) { Database = "pipeline_test_" + Guid.NewGuid().ToString("N")[..12] }.ConnectionString;
        try
        {
            var contexts = Enumerable.Range(0, 3).Select(_ => Context(connectionString)).ToList();
            var applied = await Task.WhenAll(contexts.Select(db => Task.Run(() => db.MigrateExclusivelyAsync(cancellationToken), cancellationToken)));

            await using var check = Context(connectionString);
            var all = check.Database.GetMigrations().ToList();
            Assert.Equal(all, applied.Single(a => a.Count > 0));
            Assert.Equal(2, applied.Count(a => a.Count == 0));
            Assert.Empty(await check.Database.GetPendingMigrationsAsync(cancellationToken));
            Assert.Equal(0, await check.Images.CountAsync(cancellationToken));
            foreach (var db in contexts)
            {
                await db.DisposeAsync();
            }
        }
        finally
        {
            await services.DropDatabaseAsync(connectionString);
        }
    }

    private static PipelineDbContext Context(string connectionString) =>
        new((DbContextOptions<PipelineDbContext>)StorageServiceCollectionExtensions.Configure(new DbContextOptionsBuilder<PipelineDbContext>(), connectionString).Options);
}
