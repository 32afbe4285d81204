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
/// full-text half, combined in one statement (see <see cref="SearchSql.Hybrid"/> and README, Search).
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
        var window = PageWindow.For(query.Page, query.PageSize, _options);
        var embedder = queryEmbedder.Instance;
        if (window.IsBeyondCandidates)
        {
            return new SearchPage([], window.Page, window.PageSize, false, embedder?.ModelId);
        }

        var vector = embedder is null ? null : (await embedder.EmbedAsync([query.Text], cancellationToken).ConfigureAwait(false))[0];
        await using var session = await SearchSession.OpenAsync(contexts, cancellationToken).ConfigureAwait(false);
        await using var command = session.Command(vector is null ? SearchSql.FullTextOnly : SearchSql.Hybrid);
        AddPaging(command, query.OwnerId, window, query.MinScore);
        command.Parameters.AddWithValue("text", query.Text);
        command.Parameters.AddWithValue("text_weight", _options.TextWeight);
        if (vector is not null)
        {
            await session.UseVectorIndexAsync(window.Candidates, _options, cancellationToken).ConfigureAwait(false);
            command.Parameters.AddWithValue("vector", new Vector(vector));
            command.Parameters.AddWithValue("model", embedder!.ModelId);
            command.Parameters.Add(new NpgsqlParameter("exclude", NpgsqlDbType.Text) { Value = DBNull.Value });
            command.Parameters.AddWithValue("vector_weight", _options.VectorWeight);
        }

        var hits = await HitReader.ReadAsync(command, cancellationToken).ConfigureAwait(false);
        LogSearched(logger, query.OwnerId, window.Page, hits.Count, vector is not null);
        return new SearchPage(Trim(hits, window), window.Page, window.PageSize, hits.Count > window.PageSize, embedder?.ModelId);
    }

    public async Task<SearchPage?> SimilarAsync(SimilarQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var window = PageWindow.For(query.Page, query.PageSize, _options);
        await using var session = await SearchSession.OpenAsync(contexts, cancellationToken).ConfigureAwait(false);
        string? modelId;
        Vector? vector;
        await using (var lookup = session.Command(SearchSql.StoredVector))
        {
            lookup.Parameters.AddWithValue("owner", query.OwnerId);
            lookup.Parameters.AddWithValue("image", query.ImageId);
            lookup.Parameters.Add(new NpgsqlParameter("model", NpgsqlDbType.Text) { Value = (object?)queryEmbedder.Instance?.ModelId ?? DBNull.Value });
            await using var reader = await lookup.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            modelId = reader.IsDBNull(0) ? null : reader.GetString(0);
            vector = reader.IsDBNull(1) ? null : reader.GetFieldValue<Vector>(1);
        }

        if (vector is null || window.IsBeyondCandidates)
        {
            return new SearchPage([], window.Page, window.PageSize, false, modelId);
        }

        await session.UseVectorIndexAsync(window.Candidates, _options, cancellationToken).ConfigureAwait(false);
        await using var command = session.Command(SearchSql.Neighbours);
        AddPaging(command, query.OwnerId, window, query.MinScore);
        command.Parameters.AddWithValue("vector", vector);
        command.Parameters.AddWithValue("model", modelId!);
        command.Parameters.AddWithValue("exclude", query.ImageId);
        var hits = await HitReader.ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return new SearchPage(Trim(hits, window), window.Page, window.PageSize, hits.Count > window.PageSize, modelId);
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
        command.Parameters.AddWithValue("model", embedder.ModelId);
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
                reader.GetBoolean(3)));
        }

        return new ClassificationPage(items.Take(window.PageSize).ToList(), window.Page, window.PageSize, items.Count > window.PageSize, embedder.ModelId);
    }

    private static void AddPaging(NpgsqlCommand command, string owner, PageWindow window, double? minScore)
    {
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("candidates", window.Candidates);
        command.Parameters.AddWithValue("offset", window.Offset);
        command.Parameters.AddWithValue("limit", window.Limit);
        command.Parameters.AddWithValue("min_score", minScore ?? double.NegativeInfinity);
    }

    private static List<SearchHit> Trim(List<SearchHit> hits, PageWindow window) => hits.Take(window.PageSize).ToList();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Search for owner {OwnerId}, page {Page}: {Hits} rows (vector half: {WithVectors})")]
    private static partial void LogSearched(ILogger logger, string ownerId, int page, int hits, bool withVectors);
}
