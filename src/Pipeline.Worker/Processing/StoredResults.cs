using Pipeline.Contracts;
using Pipeline.Storage.Entities;

namespace Pipeline.Worker.Processing;

/// <summary>
/// Whether a stored row answers a message, or the image is described again and the row replaced. A message without a
/// SourceVersion is answered by any stored row (so a re-sent message of a producer that never versions, or an old one,
/// cannot replace a newer result); a message with one is answered only by a row of that version. Rows record the
/// version of the bytes actually read, and a blob is always read as it is now, so describing again never puts older
/// bytes' result in place of newer ones: a stale version at worst describes the current bytes once more.
/// </summary>
public static class StoredResults
{
    public static bool Answers(ImageRecord row, ImageUploaded message) =>
        message.SourceVersion is null || string.Equals(row.SourceVersion, message.SourceVersion, StringComparison.Ordinal);
}
