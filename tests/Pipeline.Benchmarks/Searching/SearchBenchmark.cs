using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pgvector;
using Pipeline.Search;
using Pipeline.Search.Hosting;
using Pipeline.Storage;

namespace Pipeline.Benchmarks.Searching;

/// <summary>
/// Search latency and HNSW recall at growing sizes, on a scratch database of the configured Postgres:
/// <c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- search</c>. Times the production statements
/// (<see cref="ImageSearch"/> after the text tower) with synthetic query vectors; embedding the query text is a CLIP
/// text-tower pass on top (see the models benchmark).
/// </summary>
internal static class SearchBenchmark
{
    private const int RecallDepth = 10;
    private const int PageSize = 20;

    public static Command Create()
    {
        var sizes = new Option<string>("--sizes") { Description = "Stored vectors at each step, comma-separated, ascending.", DefaultValueFactory = _ => "10000,100000" };
        var owners = new Option<int>("--owners") { Description = "Owners the vectors are spread over (each query searches one).", DefaultValueFactory = _ => 20 };
        var queries = new Option<int>("--queries") { Description = "Timed queries per measurement.", DefaultValueFactory = _ => 200 };
        var m = new Option<int>("--m") { Description = "HNSW m (links per node); pgvector's default, as the migration builds it.", DefaultValueFactory = _ => 16 };
        var efConstruction = new Option<int>("--ef-construction") { Description = "HNSW ef_construction; pgvector's default, as the migration builds it.", DefaultValueFactory = _ => 64 };
        var efSearch = new Option<string>("--ef-search") { Description = "Search:EfSearch values to measure, comma-separated.", DefaultValueFactory = _ => "40,100,400" };
        var command = new Command("search", "p50/p95 latency of vector and hybrid search and recall@10 of the HNSW index, at 10k and 100k synthetic vectors.")
        {
            sizes, owners, queries, m, efConstruction, efSearch,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            PositiveNumbers(result.GetRequiredValue(sizes), "--sizes"),
            Math.Max(1, result.GetValue(owners)),
            Math.Max(1, result.GetValue(queries)),
            result.GetValue(m),
            result.GetValue(efConstruction),
            PositiveNumbers(result.GetRequiredValue(efSearch), "--ef-search"),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        int[] sizes, int owners, int queryCount, int m, int efConstruction, int[] efSearches, CancellationToken cancellationToken)
    {
        var server = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
        if (string.IsNullOrWhiteSpace(server))
        {
            await Console.Error.WriteLineAsync("ConnectionStrings__Postgres is not set: deploy/local/services.sh up, then . .local/services.env.");
            return 2;
        }

        var corpus = new SyntheticCorpus(owners, seed: 1);
        var queries = corpus.Queries(queryCount, seed: 2);
        await using var database = await ScratchDatabase.CreateAsync(server, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Scratch database {database.Name}: {SyntheticCorpus.Dimensions}-d vectors over {owners} owners, {queryCount} queries per row (each for one owner), " +
            $"page size {PageSize}, {Environment.ProcessorCount} cores; HNSW m = {m}, ef_construction = {efConstruction}; hnsw.iterative_scan = relaxed_order"));
        Console.WriteLine();
        Console.WriteLine("vectors | load s | index build s | ef_search | vector p50 ms | vector p95 ms | hybrid p50 ms | hybrid p95 ms | exact p50 ms | recall@10");
        Console.WriteLine("--------|--------|---------------|-----------|---------------|---------------|---------------|---------------|--------------|----------");

        var loaded = 0;
        foreach (var size in sizes.Order())
        {
            var load = Stopwatch.StartNew();
            await database.ExecuteAsync("DROP INDEX IF EXISTS ix_image_embeddings_embedding_hnsw", cancellationToken);
            await corpus.LoadAsync(database, loaded, size, cancellationToken);
            await database.ExecuteAsync("ANALYZE images; ANALYZE image_embeddings", cancellationToken);
            loaded = size;
            var loadSeconds = load.Elapsed.TotalSeconds;

            var build = Stopwatch.StartNew();
            // The same index the migration creates, with the parameters measured; enough memory to build the graph in RAM.
            await database.ExecuteAsync(string.Create(CultureInfo.InvariantCulture,
                $"SET maintenance_work_mem = '1GB'; CREATE INDEX ix_image_embeddings_embedding_hnsw ON image_embeddings USING hnsw (embedding vector_cosine_ops) WITH (m = {m}, ef_construction = {efConstruction})"),
                cancellationToken);
            var buildSeconds = build.Elapsed.TotalSeconds;

            var exact = await ExactNeighboursAsync(database, queries, cancellationToken);
            foreach (var efSearch in efSearches)
            {
                var search = CreateSearch(database.ConnectionString, efSearch);
                var vector = await TimeAsync(queries, q => search.NeighboursAsync(q.Owner, new Vector(q.Vector), SyntheticCorpus.ModelId, null, 1, PageSize, null, cancellationToken));
                var hybrid = await TimeAsync(queries, q => search.SearchAsync(new SearchQuery(q.Owner, q.Text, 1, PageSize), q.Vector, SyntheticCorpus.ModelId, cancellationToken));
                var recall = await RecallAsync(search, queries, exact.Ids, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{size,7} | {loadSeconds,6:F1} | {buildSeconds,13:F1} | {efSearch,9} | {Percentile(vector, 50),13:F2} | {Percentile(vector, 95),13:F2} | " +
                    $"{Percentile(hybrid, 50),13:F2} | {Percentile(hybrid, 95),13:F2} | {Percentile(exact.Milliseconds, 50),12:F2} | {recall,9:F3}"));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Dropped {database.Name}.");
        return 0;
    }

    private static ImageSearch CreateSearch(string connectionString, int efSearch)
    {
        var options = StorageServiceCollectionExtensions.Configure(new DbContextOptionsBuilder<PipelineDbContext>(), connectionString);
        return new ImageSearch(
            new PooledDbContextFactory<PipelineDbContext>((DbContextOptions<PipelineDbContext>)options.Options),
            new QueryEmbedder(null, null),
            Options.Create(new SearchOptions { EfSearch = efSearch }),
            NullLogger<ImageSearch>.Instance);
    }

    /// <summary>Warms up on the first queries, then times every query once, one at a time.</summary>
    private static async Task<List<double>> TimeAsync<T>(
        List<(string Owner, string Text, float[] Vector)> queries, Func<(string Owner, string Text, float[] Vector), Task<T>> run)
    {
        foreach (var query in queries.Take(20))
        {
            await run(query);
        }

        var milliseconds = new List<double>(queries.Count);
        foreach (var query in queries)
        {
            var stopwatch = Stopwatch.StartNew();
            await run(query);
            milliseconds.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        return milliseconds;
    }

    /// <summary>
    /// The true top 10 of each query's owner: a sequential scan, because ordering by similarity descending (rather than
    /// by distance ascending) is not what the HNSW index answers.
    /// </summary>
    private static async Task<(List<HashSet<string>> Ids, List<double> Milliseconds)> ExactNeighboursAsync(
        ScratchDatabase database, List<(string Owner, string Text, float[] Vector)> queries, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT e.image_id FROM image_embeddings e JOIN images i ON i.id = e.image_id
            WHERE i.owner_id = @owner AND e.model_id = @model
            ORDER BY 1 - (e.embedding <=> @vector) DESC, e.image_id
            LIMIT @k
            """;
        var ids = new List<HashSet<string>>();
        var milliseconds = new List<double>();
        foreach (var (owner, _, vector) in queries)
        {
            var stopwatch = Stopwatch.StartNew();
            await using var command = database.DataSource.CreateCommand(sql);
            command.Parameters.AddWithValue("owner", owner);
            command.Parameters.AddWithValue("model", SyntheticCorpus.ModelId);
            command.Parameters.AddWithValue("vector", new Vector(vector));
            command.Parameters.AddWithValue("k", RecallDepth);
            var found = new HashSet<string>(StringComparer.Ordinal);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    found.Add(reader.GetString(0));
                }
            }

            milliseconds.Add(stopwatch.Elapsed.TotalMilliseconds);
            ids.Add(found);
        }

        return (ids, milliseconds);
    }

    private static async Task<double> RecallAsync(
        ImageSearch search, List<(string Owner, string Text, float[] Vector)> queries, List<HashSet<string>> exact, CancellationToken cancellationToken)
    {
        var found = 0;
        var expected = 0;
        for (var q = 0; q < queries.Count; q++)
        {
            var page = await search.NeighboursAsync(queries[q].Owner, new Vector(queries[q].Vector), SyntheticCorpus.ModelId, null, 1, RecallDepth, null, cancellationToken);
            found += page.Hits.Count(h => exact[q].Contains(h.ImageId));
            expected += exact[q].Count;
        }

        return (double)found / expected;
    }

    private static int[] PositiveNumbers(string text, string option)
    {
        var numbers = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"{option}: '{s}' is not a positive integer."))
            .ToArray();
        return numbers.Length > 0 ? numbers : throw new ArgumentException($"{option} needs at least one number.");
    }

    private static double Percentile(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
