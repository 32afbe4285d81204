namespace Pipeline.StandInModels;

/// <summary>What <see cref="StandInFolder.WriteOrReuse"/> did: the folder's files, and whether an earlier run's were kept.</summary>
public sealed record StandInWriteResult(IReadOnlyList<string> Paths, bool Reused);

/// <summary>
/// A generated folder reused while its <c>.complete</c> file holds the hash of what it was made from (generator version,
/// options, source files) and every file is there; written otherwise, beside it first and then moved into place, so two
/// processes (test runs of two developers on one machine) never see or leave a half-written folder.
/// </summary>
public static class StandInFolder
{
    public const string CompleteFileName = ".complete";

    /// <param name="fileNames">The folder's files, relative to it.</param>
    /// <param name="write">Writes the whole folder, <see cref="CompleteFileName"/> last, into the folder it is given.</param>
    public static StandInWriteResult WriteOrReuse(string folder, string hash, IEnumerable<string> fileNames, Action<string> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(write);
        folder = Path.GetFullPath(folder);
        var paths = fileNames.Select(f => Path.Combine(folder, f)).ToList();
        if (IsComplete(folder, hash, paths))
        {
            return new StandInWriteResult(paths, Reused: true);
        }

        var staging = $"{folder}.partial-{Guid.NewGuid():N}";
        try
        {
            write(staging);
            if (IsComplete(folder, hash, paths))
            {
                return new StandInWriteResult(paths, Reused: true);
            }

            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
            Directory.Move(staging, folder);
            return new StandInWriteResult(paths, Reused: false);
        }
        catch (IOException) when (IsComplete(folder, hash, paths))
        {
            // Another process moved its copy into place first.
            return new StandInWriteResult(paths, Reused: true);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static bool IsComplete(string folder, string hash, List<string> paths)
    {
        var complete = Path.Combine(folder, CompleteFileName);
        try
        {
            return File.Exists(complete) && File.ReadAllText(complete).Trim() == hash && paths.All(File.Exists);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
