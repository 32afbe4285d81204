using System.Text.RegularExpressions;
using Pipeline.Contracts.Text;

namespace Pipeline.Contracts;

/// <summary>
/// The one rule for owners and image ids, on every path: the queue, the API, the CLI and the blob watcher. Letters and
/// digits of any script are allowed (ids arrive as Unicode NFC, so a name typed on one system finds the same picture on
/// another). An image's stored row (and its blob) is <c>{owner}/{id}</c>, at most <see cref="ImageUploaded.MaxIdLength"/>
/// characters; the API and the CLI show and take the id without the owner. A message from another producer may name a
/// row directly with any id of up to that length without control characters (<c>blob:{container}/{name}</c> from the
/// watcher); those are shown and taken whole.
/// </summary>
public static partial class ImageIds
{
    public const int MaxOwnerLength = 64;

    public const int MaxImageIdLength = 128;

    public const string OwnerRule = "1–64 characters: letters and digits of any script and . _ @ -, starting with a letter or digit";

    public const string ImageRule =
        "1–128 characters of any script, starting with a letter or digit: no control characters, no \\ ? # %, no // and no / at the end";

    public static bool IsValidOwner(string? owner) => owner is not null && OwnerPattern().IsMatch(owner);

    public static bool IsValidImageId(string? id) =>
        id is { Length: > 0 and <= MaxImageIdLength } && char.IsLetterOrDigit(id, 0) && !id.Any(char.IsControl)
        && id.IndexOfAny(['\\', '?', '#', '%']) < 0 && !id.Contains("//", StringComparison.Ordinal) && !id.EndsWith('/') && id == id.TrimEnd();

    /// <summary>
    /// The form ids are stored and compared in: Unicode NFC (macOS writes file names decomposed). The project's own
    /// <see cref="Nfc"/>: the runtime's normalisation does nothing under InvariantGlobalization.
    /// </summary>
    public static string Normalize(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Nfc.Normalize(id);
    }

    /// <summary>The stored row id (and blob name) of an owner's image.</summary>
    public static string RowId(string owner, string imageId) => $"{owner}/{imageId}";

    /// <summary>The id the API and the CLI show for a stored row: without the owner prefix; another producer's id whole.</summary>
    public static string ShownId(string owner, string rowId)
    {
        ArgumentNullException.ThrowIfNull(rowId);
        return rowId.StartsWith(owner + "/", StringComparison.Ordinal) ? rowId[(owner.Length + 1)..] : rowId;
    }

    /// <summary>The rows an id a person typed may name, in order: the owner's own image, then a row of that id itself.</summary>
    public static IReadOnlyList<string> RowCandidates(string owner, string typedId)
    {
        var id = Normalize(typedId);
        return id.StartsWith(owner + "/", StringComparison.Ordinal) ? [id] : [RowId(owner, id), id];
    }

    [GeneratedRegex(@"\A[\p{L}\p{N}][\p{L}\p{M}\p{N}._@-]{0,63}\z")]
    private static partial Regex OwnerPattern();
}
