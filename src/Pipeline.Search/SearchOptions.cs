using System.ComponentModel.DataAnnotations;

namespace Pipeline.Search;

/// <summary>How search ranks and pages (section <c>Search</c>). See docs/API.md, Search, for the ranking these weights feed.</summary>
public sealed class SearchOptions
{
    public const string Section = "Search";

    /// <summary>The label's place in <see cref="PromptTemplate"/>.</summary>
    public const string LabelPlaceholder = "{label}";

    /// <summary>Weight of the cosine similarity of query and picture (CLIP) in a hit's score.</summary>
    [Range(0.0, 10.0)]
    public double VectorWeight { get; set; } = 1.0;

    /// <summary>
    /// Weight of the full-text rank (caption and text in the picture, in [0, 1)) in a hit's score. At 1 a picture that
    /// shows or is captioned with every word of the query (rank 0.25–0.5) outranks pictures that only look alike: CLIP
    /// ViT-B/32 puts matching pictures at a cosine similarity of about 0.3 to their description, unrelated ones at
    /// 0.1–0.2.
    /// </summary>
    [Range(0.0, 10.0)]
    public double TextWeight { get; set; } = 1.0;

    /// <summary>Largest page a caller may ask for; larger requests are cut to it.</summary>
    [Range(1, 1000)]
    public int MaxPageSize { get; set; } = 100;

    /// <summary>
    /// How deep either half (vector, full text) is read: page × page size + 1 candidates each, at most this many.
    /// Pages past it come back empty. pgvector's <c>hnsw.ef_search</c> is capped at 1000, so deeper vector reads rely on
    /// its iterative scan.
    /// </summary>
    [Range(10, 100_000)]
    public int MaxCandidates { get; set; } = 1000;

    /// <summary>
    /// The HNSW candidate list floor (<c>hnsw.ef_search</c>); raised to the candidates a query needs. Owner filtering
    /// costs recall: over 100k vectors of 20 owners, recall@10 rose from 0.91–0.93 at 100 to 0.94–0.96 at 400, for
    /// 5–7 ms more per query (two runs; docs/PERFORMANCE.md).
    /// </summary>
    [Range(10, 1000)]
    public int EfSearch { get; set; } = 400;

    /// <summary>
    /// Upper bound of index tuples an owner-filtered vector read may visit (<c>hnsw.max_scan_tuples</c>) while the
    /// iterative scan looks for enough of the owner's vectors.
    /// </summary>
    [Range(1000, 10_000_000)]
    public int MaxScanTuples { get; set; } = 20_000;

    /// <summary>What each label becomes before CLIP's text tower reads it, as in CLIP's zero-shot evaluation.</summary>
    [Required(AllowEmptyStrings = false)]
    public string PromptTemplate { get; set; } = "a photo of a {label}.";

    /// <summary>CLIP's learned logit scale (exp(τ) = 100 in the released models): logits = scale × cosine similarity.</summary>
    [Range(1.0, 1000.0)]
    public double LogitScale { get; set; } = 100.0;
}
