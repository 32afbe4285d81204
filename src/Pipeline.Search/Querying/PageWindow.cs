namespace Pipeline.Search.Querying;

/// <summary>
/// Which rows a page is and how deep each half of a search must read for it: the rows before the page, the page, and
/// one more to tell whether another page follows.
/// </summary>
internal readonly record struct PageWindow(int Page, int PageSize, int Offset, int Candidates)
{
    /// <summary>Rows to ask for: the page and one more.</summary>
    public int Limit => PageSize + 1;

    /// <summary>True when the page starts past the deepest candidate either half may read.</summary>
    public bool IsBeyondCandidates => Offset >= Candidates;

    public static PageWindow For(int page, int pageSize, SearchOptions options)
    {
        var size = Math.Clamp(pageSize, 1, options.MaxPageSize);
        var number = Math.Max(1, page);
        var offset = (long)(number - 1) * size;
        var candidates = (int)Math.Min(offset + size + 1, options.MaxCandidates);
        return new PageWindow(number, size, (int)Math.Min(offset, int.MaxValue), candidates);
    }
}
