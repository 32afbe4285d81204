using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Pipeline.Search.Querying;

namespace Pipeline.Benchmarks.Searching;

/// <summary>
/// What indexing Chinese, Japanese and Korean text by character pairs costs next to words alone, at 100k synthetic
/// picture texts (captions, and for a third of them lines read in Korean or Chinese): time to compute the column and to
/// build its GIN index, their sizes, and the latency of queries in both scripts.
/// </summary>
internal static class FullTextIndexBenchmark
{
    private const string WordsOnly = "to_tsvector('simple', body)";
    private const string WithPairs = "to_tsvector('simple', body || ' ' || pipeline_cjk_bigrams(body))";

    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "Picture texts.", DefaultValueFactory = _ => 100_000 };
        var command = new Command("fulltext", "Cost of the full-text column with and without character pairs for CJK text, at 100k picture texts.") { rows };
        command.SetAction((result, cancellationToken) => RunAsync(Math.Max(1000, result.GetValue(rows)), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int rows, CancellationToken cancellationToken)
    {
        var server = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
        if (string.IsNullOrWhiteSpace(server))
        {
            await Console.Error.WriteLineAsync("ConnectionStrings__Postgres is not set: deploy/local/services.sh up, then . .local/services.env.");
            return 2;
        }

        await using var database = await ScratchDatabase.CreateAsync(server, cancellationToken);
        await database.ExecuteAsync($"""
            CREATE TABLE texts AS
            SELECT g AS id,
                   (SELECT string_agg(w[1 + floor(random() * array_length(w, 1))::int], ' ')
                    FROM generate_series(1, 8 + g % 5),
                         (SELECT ARRAY['a','the','on','of','hedgehog','grass','cat','dog','street','sign','library','page','text',
                                       'red','green','car','tree','house','person','sitting','standing','water','sky','book'] AS w) words)
                   || CASE g % 3 WHEN 0 THEN ' ' || (ARRAY['고슴도치가 지나가요','사진 촬영 금지','야생고슴도치보호구역','도서관 입구',
                                                         '学习汉字的地方','禁止拍照','图书馆','出口'])[1 + g % 8] ELSE '' END AS body
            FROM generate_series(1, {rows}) g
            """, cancellationToken);
        Console.WriteLine($"{rows:N0} picture texts (a third with a line in Korean or Chinese); PostgreSQL, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine("index | column computed | GIN built | column size | GIN size | p50 'hedgehog grass' | p50 '고슴도치 사진을 찾아 줘' | matches of the Korean query");
        foreach (var (name, expression) in new[] { ("words only", WordsOnly), ("words + CJK pairs", WithPairs) })
        {
            var table = name == "words only" ? "ft_words" : "ft_pairs";
            var computed = await TimeAsync(database, $"CREATE TABLE {table} AS SELECT id, {expression} AS v FROM texts", cancellationToken);
            var built = await TimeAsync(database, $"CREATE INDEX ON {table} USING gin (v)", cancellationToken);
            await database.ExecuteAsync($"ANALYZE {table}", cancellationToken);
            var columnSize = await ScalarAsync<long>(database, $"SELECT sum(pg_column_size(v)) FROM {table}", cancellationToken);
            var indexSize = await ScalarAsync<long>(database, $"SELECT pg_indexes_size('{table}')", cancellationToken);
            var english = await QueryP50Async(database, table, "hedgehog grass", cancellationToken);
            var korean = await QueryP50Async(database, table, "고슴도치 사진을 찾아 줘", cancellationToken);
            var koreanMatches = await ScalarAsync<long>(database,
                $"SELECT count(*) FROM {table} WHERE v @@ websearch_to_tsquery('simple', '{FullTextQuery.Parse("고슴도치 사진을 찾아 줘").Wanted}')", cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} | {computed:F1} s | {built:F1} s | {columnSize / 1048576.0:F1} MB | {indexSize / 1048576.0:F1} MB | {english:F2} ms | {korean:F2} ms | {koreanMatches:N0}"));
        }

        return 0;
    }

    private static async Task<double> TimeAsync(ScratchDatabase database, string sql, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await database.ExecuteAsync(sql, cancellationToken);
        return stopwatch.Elapsed.TotalSeconds;
    }

    private static async Task<T> ScalarAsync<T>(ScratchDatabase database, string sql, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync(cancellationToken))!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>The search's own full-text shape: any wanted term, ranked, first 20; median of 30 runs after a warm-up.</summary>
    private static async Task<double> QueryP50Async(ScratchDatabase database, string table, string text, CancellationToken cancellationToken)
    {
        var query = FullTextQuery.Parse(text);
        var times = new List<double>();
        for (var run = 0; run < 31; run++)
        {
            await using var command = database.DataSource.CreateCommand(
                $"SELECT id FROM {table}, websearch_to_tsquery('simple', @wanted) q WHERE v @@ q ORDER BY ts_rank_cd(v, q, 32) DESC, id LIMIT 20");
            command.Parameters.AddWithValue("wanted", query.Wanted);
            var stopwatch = Stopwatch.StartNew();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                }
            }

            if (run > 0)
            {
                times.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
