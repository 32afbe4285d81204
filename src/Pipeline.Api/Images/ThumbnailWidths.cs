namespace Pipeline.Api.Images;

/// <summary>
/// The widths a thumbnail may be asked for, and the few that are made and stored. A request gets the smallest stored
/// width at least as wide as it asked (pages scale pictures to their boxes anyway): whatever widths clients ask for,
/// an original is decoded at most once per stored width, and the store keeps at most that many thumbnails of it.
/// </summary>
public static class ThumbnailWidths
{
    public const int Min = 16;
    public const int Max = 2048;

    /// <summary>
    /// Each at most twice the one before, so above 64 pixels a thumbnail is less than twice as wide as asked
    /// (768: what the search page's details view asks for).
    /// </summary>
    public static IReadOnlyList<int> Stored { get; } = [64, 128, 256, 512, 768, 1024, 1536, Max];

    /// <param name="width"><see cref="Min"/>–<see cref="Max"/> pixels.</param>
    public static int StoredFor(int width) => Stored.First(stored => stored >= width);
}
