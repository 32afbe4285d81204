using Pipeline.Contracts;

namespace Pipeline.Cli.Commands.Ingest;

/// <param name="BlobPath">The file's path below the folder, with '/' separators, in NFC: the image id, the blob name after the owner.</param>
internal sealed record IngestFile(FileInfo File, string BlobPath);

/// <param name="Path">Below the folder; a folder ends with '/'.</param>
internal sealed record SkippedEntry(string Path, string Why);

/// <summary>
/// What <c>ingest</c> uploads from a folder, and what it leaves out and why, so that nothing is skipped without a word:
/// hidden files and folders (a leading '.', or the hidden attribute) never; subfolders only with <c>--recursive</c>.
/// </summary>
internal sealed record IngestFiles(IReadOnlyList<IngestFile> Files, IReadOnlyList<SkippedEntry> Skipped)
{
    public static IngestFiles Select(DirectoryInfo folder, bool recursive)
    {
        var files = new List<IngestFile>();
        var skipped = new List<SkippedEntry>();
        Walk(folder, "");
        return new IngestFiles(files, skipped);

        void Walk(DirectoryInfo current, string prefix)
        {
            foreach (var entry in current.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var path = prefix + entry.Name;
                if (entry is DirectoryInfo subfolder)
                {
                    if (IsHidden(subfolder))
                    {
                        skipped.Add(new SkippedEntry(path + "/", "hidden folder"));
                    }
                    else if (recursive)
                    {
                        Walk(subfolder, path + "/");
                    }
                    else
                    {
                        skipped.Add(new SkippedEntry(path + "/", "a folder: --recursive takes the files below it"));
                    }
                }
                else if (entry is FileInfo file)
                {
                    if (IsHidden(file))
                    {
                        skipped.Add(new SkippedEntry(path, "hidden file"));
                    }
                    else if (ImageIds.Normalize(path) is var id && !ImageIds.IsValidImageId(id))
                    {
                        skipped.Add(new SkippedEntry(path, $"its name cannot be an image id ({ImageIds.ImageRule})"));
                    }
                    else
                    {
                        files.Add(new IngestFile(file, id));
                    }
                }
            }
        }
    }

    private static bool IsHidden(FileSystemInfo entry) => entry.Name.StartsWith('.') || entry.Attributes.HasFlag(FileAttributes.Hidden);
}
