using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Pgvector;
using Pipeline.Search.Classifying;
using Pipeline.Search.Hosting;
using Pipeline.Search.Querying;
using Pipeline.Storage;

namespace Pipeline.Search;

/// <summary>
/// Search over Postgres: pgvector's HNSW index for the CLIP half, the GIN index on <c>search_text</c> for the
/// full-text half, combined in one statement (see <see cref="SearchSql.Hybrid"/> and docs/API.md, Search).
/// </summary>
internal sealed partial class ImageSearch(
    IDbContextFactory<PipelineDbContext> contexts,
    QueryEmbedder queryEmbedder,
    IOptions<SearchOptions> options,
    ILogger<ImageSearch> logger) : IImageSearch
{
    private readonly SearchOptions _options = options.Value;

    public async Task<SearchPage> SearchAsync(SearchQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrWhiteSpace(query.Text);
        var embedder = queryEmbedder.Instance;
        var vector = embedder is null || PageWindow.For(query.Page, query.PageSize, _options).IsBeyondCandidates
            ? null
            : (await embedder.EmbedAsync([query.Text], cancellationToken).ConfigureAwait(false))[0];
        return await SearchAsync(query, vector, queryEmbedder.ImageModelId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The search after the text tower: <paramref name="vector"/> is the query's embedding by <paramref name="modelId"/>, or null for full text only.</summary>
    internal async Task<SearchPage> SearchAsync(SearchQuery query, float[]? vector, string? modelId, CancellationToken cancellationToken)
    {
        var window = PageWindow.For(query.Page, query.PageSize, _options);
        if (window.IsBeyondCandidates)
        {
            return new SearchPage([], window.Page, window.PageSize, false, modelId);
        }

        await using var session = await SearchSession.OpenAsync(contexts, cancellationToken).ConfigureAwait(false);
        await using var command = session.Command(vector is null ? SearchSql.FullTextOnly : SearchSql.Hybrid);
        AddPaging(command, query.OwnerId, window, query.MinScore);
        var words = FullTextQuery.Parse(query.Text);
        command.Parameters.AddWithValue("wanted", words.Wanted);
        command.Parameters.AddWithValue("together", words.Together);
        command.Parameters.AddWithValue("excluded", words.Excluded);
        command.Parameters.AddWithValue("text_weight", _options.TextWeight);
        if (vector is not null)
        {
            await session.UseVectorIndexAsync(window.Candidates, _options, cancellationToken).ConfigureAwait(false);
            AddVector(command, new Vector(vector), modelId!, exclude: null);
            command.Parameters.AddWithValue("vector_weight", _options.VectorWeight);
        }

        var hits = await HitReader.ReadAsync(command, cancellationToken).ConfigureAwait(false);
        LogSearched(logger, query.OwnerId, window.Page, hits.Count, vector is not null);
        // A stand-in query tower makes every vector score meaningless, whatever made the rows.
        return Page(queryEmbedder.IsStandIn ? hits.ConvertAll(h => h.Similarity is null ? h : h with { StandInModels = true }) : hits, window, modelId);
    }

    public async Task<SearchPage?> SimilarAsync(SimilarQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        string? modelId;
        Vector? vector;
        await using (var session = await SearchSession.OpenAsync(contexts, cancellationToken).ConfigureAwait(false))
        await using (var lookup = session.Command(SearchSql.StoredVector))
        {
            lookup.Parameters.AddWithValue("owner", query.OwnerId);
            lookup.Parameters.AddWithValue("image", query.ImageId);
            lookup.Parameters.Add(new NpgsqlParameter("model", NpgsqlDbType.Text) { Value = (object?)queryEmbedder.ImageModelId ?? DBNull.Value });
            await using var reader = await lookup.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            modelId = reader.IsDBNull(0) ? null : reader.GetString(0);
            vector = reader.IsDBNull(1) ? null : reader.GetFieldValue<Vector>(1);
        }

        return vector is null
            ? new SearchPage([], Math.Max(1, query.Page), PageWindow.For(query.Page, query.PageSize, _options).PageSize, false, modelId)
            : await NeighboursAsync(query.OwnerId, vector, modelId!, query.ImageId, query.Page, query.PageSize, query.MinScore, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The owner's pictures nearest to <paramref name="vector"/> (a vector of <paramref name="modelId"/>), score = cosine similarity.</summary>
    internal async Task<SearchPage> NeighboursAsync(
        string owner, Vector vector, string modelId, string? exclude, int page, int pageSize, double? minScore, CancellationToken cancellationToken)
    {
        var window = PageWindow.For(page, pageSize, _options);
        if (window.IsBeyondCandidates)
        {
            return new SearchPage([], window.Page, window.PageSize, false, modelId);
        }

        await using var session = await SearchSession.OpenAsync(contexts, cancellationToken).ConfigureAwait(false);
        await session.UseVectorIndexAsync(window.Candidates, _options, cancellationToken).ConfigureAwait(false);
        await using var command = session.Command(SearchSql.Neighbours);
        AddPaging(command, owner, window, minScore);
        AddVector(command, vector, modelId, exclude);
        return Page(await HitReader.ReadAsync(command, cancellationToken).ConfigureAwait(false), window, modelId);
    }

    public async Task<ClassificationPage> ClassifyAsync(ClassifyQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var labels = query.Labels.Distinct(StringComparer.Ordinal).ToList();
        if (labels.Count == 0 || labels.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Classification needs at least one non-empty label.", nameof(query));
        }

        var window = PageWindow.For(query.Page, query.PageSize, _options);
        if (queryEmbedder.Instance is not { } embedder)
        {
            return new ClassificationPage([], window.Page, window.PageSize, false, null);
        }

        var prompts = await embedder.EmbedAsync(ZeroShot.Prompts(labels, _options.PromptTemplate), cancellationToken).ConfigureAwait(false);
        await using var session = await SearchSession.OpenAsync(contexts, cancellationToken).ConfigureAwait(false);
        await using var command = session.Command(SearchSql.VectorsToClassify);
        command.Parameters.AddWithValue("owner", query.OwnerId);
        command.Parameters.AddWithValue("model", queryEmbedder.ImageModelId!);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = (object?)query.ImageIds?.ToArray() ?? DBNull.Value });
        command.Parameters.AddWithValue("offset", window.Offset);
        command.Parameters.AddWithValue("limit", window.Limit);

        var items = new List<Classification>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var picture = reader.GetFieldValue<Vector>(2);
            var probabilities = ZeroShot.Probabilities(picture.Memory.Span, prompts, _options.LogitScale);
            var best = Array.IndexOf(probabilities, probabilities.Max());
            items.Add(new Classification(
                reader.GetString(0),
                labels[best],
                probabilities[best],
                labels.Select((label, i) => (label, i)).ToDictionary(l => l.label, l => probabilities[l.i], StringComparer.Ordinal),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetBoolean(3) || queryEmbedder.IsStandIn));
        }

        return new ClassificationPage(items.Take(window.PageSize).ToList(), window.Page, window.PageSize, items.Count > window.PageSize, queryEmbedder.ImageModelId);
    }

    private static void AddPaging(NpgsqlCommand command, string owner, PageWindow window, double? minScore)
    {
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("candidates", window.Candidates);
        command.Parameters.AddWithValue("offset", window.Offset);
        command.Parameters.AddWithValue("limit", window.Limit);
        command.Parameters.AddWithValue("min_score", minScore ?? double.NegativeInfinity);
    }

    private static void AddVector(NpgsqlCommand command, Vector vector, string modelId, string? exclude)
    {
        command.Parameters.AddWithValue("vector", vector);
        command.Parameters.AddWithValue("model", modelId);
        command.Parameters.Add(new NpgsqlParameter("exclude", NpgsqlDbType.Text) { Value = (object?)exclude ?? DBNull.Value });
    }

    /// <summary>The rows asked for were the page and one more: the extra one only says that another page follows.</summary>
    private static SearchPage Page(List<SearchHit> hits, PageWindow window, string? modelId) =>
        new(hits.Take(window.PageSize).ToList(), window.Page, window.PageSize, hits.Count > window.PageSize, modelId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Search for owner {OwnerId}, page {Page}: {Hits} rows (vector half: {WithVectors})")]
    private static partial void LogSearched(ILogger logger, string ownerId, int page, int hits, bool withVectors);
}
