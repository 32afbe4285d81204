using System.Text.RegularExpressions;

namespace Pipeline.Api.Owners;

/// <summary>
/// Owner and image ids as the API sees them. Image ids are unique per owner: the stored row and the blob are named
/// <c>{owner}/{id}</c> (as <c>pipeline ingest</c> names them), so two owners can use the same id without meeting.
/// </summary>
public static partial class OwnerIds
{
    public const string OwnerRule = "1–64 characters: letters, digits and . _ @ -, starting with a letter or digit";

    public const string ImageRule = "1–128 characters: letters, digits and . _ -, starting with a letter or digit";

    public static bool IsValidOwner(string? owner) => owner is not null && OwnerPattern().IsMatch(owner);

    public static bool IsValidImageId(string? id) => id is not null && ImagePattern().IsMatch(id);

    /// <summary>The stored row id (and blob name) of an owner's image.</summary>
    public static string RowId(string owner, string imageId) => $"{owner}/{imageId}";

    /// <summary>
    /// The API id of a stored row: without the owner prefix. Rows announced by other producers under ids of their
    /// own keep them whole.
    /// </summary>
    public static string ImageId(string owner, string rowId) =>
        rowId.StartsWith(owner + "/", StringComparison.Ordinal) ? rowId[(owner.Length + 1)..] : rowId;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")]
    private static partial Regex OwnerPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex ImagePattern();
}
