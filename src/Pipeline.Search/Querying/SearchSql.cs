namespace Pipeline.Search.Querying;

/// <summary>
/// The statements behind search, all parameterised and all filtered by <c>@owner</c> at every read of <c>images</c>.
/// Scores are computed in SQL so that min-score, ordering and paging happen before rows leave the database.
/// </summary>
internal static class SearchSql
{
    /// <summary>
    /// Full-text rank in [0, 1): the mean of two <c>ts_rank_cd</c> (every position weighted 1, normalisation 32: rank /
    /// (rank + 1), whatever the document's length): of any wanted term (n matches score n / (n + 1): sharing more of
    /// the query's words ranks higher) and of all of them together (cover density: the whole query standing together
    /// once scores 0.5, spread out less, missing a word 0). One word of the query scores 0.25; both words of a
    /// two-word query next to each other 0.58.
    /// </summary>
    private const string TextRank =
        "((ts_rank_cd('{1,1,1,1}'::real[], i.search_text, query.terms, 32) + ts_rank_cd('{1,1,1,1}'::real[], i.search_text, query.together, 32)) / 2)::double precision";

    /// <summary>
    /// The query's terms as <see cref="FullTextQuery"/> writes them: any wanted term matches (the rank rewards sharing
    /// more of them), an excluded one vetoes; no stemming, like the stored <c>search_text</c>. Vector similarity handles
    /// the fuzzy part of a description; full text rewards exact words.
    /// </summary>
    private const string Terms =
        "query AS (SELECT websearch_to_tsquery('simple', @wanted) AS terms, websearch_to_tsquery('simple', @together) AS together, " +
        "websearch_to_tsquery('simple', @excluded) AS excluded)";

    /// <summary>A picture's text holds a wanted term and no excluded one (an empty query matches nothing).</summary>
    private const string Matches =
        "(i.search_text @@ query.terms AND (numnode(query.excluded) = 0 OR NOT i.search_text @@ query.excluded))";

    private const string Described = "i.owner_id = @owner AND i.status = 'described'";

    private const string TextHits = $"""
        text_hits AS MATERIALIZED (
            SELECT i.id AS image_id
            FROM images i CROSS JOIN query
            WHERE {Described} AND {Matches}
            ORDER BY {TextRank} DESC, i.id
            LIMIT @candidates
        )
        """;

    /// <summary>
    /// The owner's nearest vectors of one model, read through the HNSW index. The index knows no owners: with
    /// <c>hnsw.iterative_scan = relaxed_order</c> it keeps scanning until enough rows pass the owner filter (up to
    /// <c>hnsw.max_scan_tuples</c>), in nearly sorted order; the callers sort again. MATERIALIZED keeps the planner from
    /// folding the LIMIT into the outer query, which would leave the index unused.
    /// </summary>
    private const string VectorHits = """
        vector_hits AS MATERIALIZED (
            SELECT e.image_id
            FROM image_embeddings e JOIN images i ON i.id = e.image_id
            WHERE e.model_id = @model AND i.owner_id = @owner AND i.status = 'described' AND e.image_id IS DISTINCT FROM @exclude
            ORDER BY e.embedding <=> @vector
            LIMIT @candidates
        )
        """;

    private const string HitColumns = "i.id, i.alt_text, i.caption, i.ocr_text, i.source_uri, i.width, i.height, i.created_at, i.stand_in_models";

    private const string PageOfScored = """
        SELECT id, alt_text, caption, ocr_text, source_uri, width, height, created_at, similarity, text_rank, score, stand_in_models
        FROM scored
        WHERE score >= @min_score
        ORDER BY score DESC, id
        OFFSET @offset LIMIT @limit
        """;

    /// <summary>Score = @vector_weight × cosine similarity + @text_weight × full-text rank, over the union of both halves' candidates.</summary>
    public const string Hybrid = $"""
        WITH {Terms},
        {VectorHits},
        {TextHits},
        scored AS (
            SELECT {HitColumns},
                   1 - (e.embedding <=> @vector) AS similarity,
                   CASE WHEN {Matches} THEN {TextRank} END AS text_rank,
                   @vector_weight * coalesce(1 - (e.embedding <=> @vector), 0)
                     + @text_weight * CASE WHEN {Matches} THEN {TextRank} ELSE 0 END AS score
            FROM (SELECT image_id FROM vector_hits UNION SELECT image_id FROM text_hits) candidate
            JOIN images i ON i.id = candidate.image_id
            LEFT JOIN image_embeddings e ON e.image_id = i.id AND e.model_id = @model
            CROSS JOIN query
            WHERE {Described}
        )
        {PageOfScored}
        """;

    /// <summary>Without a text embedder: full text alone, score = @text_weight × rank.</summary>
    public const string FullTextOnly = $"""
        WITH {Terms},
        {TextHits},
        scored AS (
            SELECT {HitColumns},
                   NULL::double precision AS similarity,
                   {TextRank} AS text_rank,
                   @text_weight * {TextRank} AS score
            FROM text_hits candidate
            JOIN images i ON i.id = candidate.image_id
            CROSS JOIN query
            WHERE {Described}
        )
        {PageOfScored}
        """;

    /// <summary>Neighbours of a stored picture: score = cosine similarity (no words to match).</summary>
    public const string Neighbours = $"""
        WITH {VectorHits},
        scored AS (
            SELECT {HitColumns},
                   1 - (e.embedding <=> @vector) AS similarity,
                   NULL::double precision AS text_rank,
                   1 - (e.embedding <=> @vector) AS score
            FROM vector_hits candidate
            JOIN images i ON i.id = candidate.image_id
            JOIN image_embeddings e ON e.image_id = i.id AND e.model_id = @model
            WHERE {Described}
        )
        {PageOfScored}
        """;

    /// <summary>
    /// The stored vector of one of the owner's pictures: of the search's model when one is configured, else of the model
    /// that embedded it. No row: the owner has no such described picture; a NULL vector: it has none of that model.
    /// </summary>
    public const string StoredVector = """
        SELECT e.model_id, e.embedding
        FROM images i
        LEFT JOIN image_embeddings e ON e.image_id = i.id AND e.model_id = coalesce(@model, i.embedding_model_id)
        WHERE i.id = @image AND i.owner_id = @owner AND i.status = 'described'
        """;

    /// <summary>A page of the owner's pictures with a vector of the model, newest first, or the listed ones in the order given.</summary>
    public const string VectorsToClassify = """
        SELECT i.id, i.alt_text, e.embedding, i.stand_in_models
        FROM images i JOIN image_embeddings e ON e.image_id = i.id AND e.model_id = @model
        WHERE i.owner_id = @owner AND i.status = 'described' AND (@ids::text[] IS NULL OR i.id = ANY(@ids))
        ORDER BY array_position(@ids, i.id::text), i.created_at DESC, i.id
        OFFSET @offset LIMIT @limit
        """;
}
