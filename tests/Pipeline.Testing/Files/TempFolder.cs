namespace Pipeline.Testing;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it on dispose.</summary>
/// <remarks>One file, compiled into each test project (see their csproj), so the helpers stay a single copy.</remarks>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "pipeline-tests-")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
