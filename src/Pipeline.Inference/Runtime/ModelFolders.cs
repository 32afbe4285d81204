namespace Pipeline.Inference.Runtime;

/// <summary>
/// Where model folders are: a configured path as written if absolute; a relative one starts at the checkout the process
/// runs in (the first folder holding <c>models/manifest.json</c> above the current directory or above the binaries),
/// else at the binaries' folder, where appsettings.json is. So a path typed as the README writes it works whether
/// <c>dotnet run</c> (which starts in the project's folder) or <c>dotnet bin/…/x.dll</c> started the process.
/// </summary>
public static class ModelFolders
{
    private static readonly Lazy<string> Base = new(FindBaseFolder);

    /// <summary>The folder relative model paths start at.</summary>
    public static string BaseFolder => Base.Value;

    /// <summary><c>models/manifest.json</c> of that folder: the model sets <c>pipeline models</c> knows.</summary>
    public static string ManifestPath => Path.Combine(BaseFolder, "models", "manifest.json");

    /// <summary><c>models/cache</c>, where <c>pipeline models fetch</c> puts model sets.</summary>
    public static string CachePath => Path.Combine(BaseFolder, "models", "cache");

    /// <summary>The full path of a configured model path; empty stays empty (no such model).</summary>
    public static string Resolve(string? path) =>
        string.IsNullOrWhiteSpace(path) ? "" : Path.GetFullPath(path.Trim(), BaseFolder);

    /// <summary>
    /// Null when <paramref name="folder"/> (already resolved) exists; otherwise one line naming the setting, the folder
    /// looked for and what to do.
    /// </summary>
    public static string? Problem(string setting, string folder) =>
        Directory.Exists(folder)
            ? null
            : $"{setting}: no model folder at {folder} (relative paths start at {BaseFolder}). " +
              "Fetch the model (pipeline models fetch) or generate a stand-in, or leave the setting empty to run without it.";

    private static string FindBaseFolder()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "models", "manifest.json")))
                {
                    return folder.FullName;
                }
            }
        }

        return Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
    }
}
